using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Octavia.EndToEnd;

/// <summary>
/// <c>octavia server serve</c>, the built-in backend, as a real process on loopback: what each path answers,
/// keep-alive and pipelining on one connection, TCP echo, and a clean exit on SIGTERM.
/// </summary>
public sealed class BackendServerTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Http_Paths_AnswerNameHealthAndHeaders()
    {
        var (server, port) = await StartAsync("--protocol", "http");
        using (server)
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var ct = TestContext.Current.CancellationToken;

            using var root = await client.GetAsync("/", ct);
            Assert.Equal(HttpStatusCode.OK, root.StatusCode);
            Assert.Equal($"127.0.0.1:{port}\n", await root.Content.ReadAsStringAsync(ct));
            Assert.Equal(port.ToString(System.Globalization.CultureInfo.InvariantCulture).Length + 11, root.Content.Headers.ContentLength);
            Assert.False(root.Headers.Contains("Set-Cookie"));

            using var health = await client.GetAsync("/healthcheck", ct);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal("OK", await health.Content.ReadAsStringAsync(ct));

            using var missing = await client.GetAsync("/nowhere", ct);
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

            using var request = new HttpRequestMessage(HttpMethod.Get, "/headers");
            request.Headers.Add("X-Forwarded-For", "192.0.2.7");
            request.Headers.Add("X-Forwarded-Proto", "http");
            using var headers = await client.SendAsync(request, ct);
            var lines = (await headers.Content.ReadAsStringAsync(ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains("X-Forwarded-For: 192.0.2.7", lines);
            Assert.Contains("X-Forwarded-Proto: http", lines);
            Assert.Contains($"Host: 127.0.0.1:{port}", lines);

            Assert.Equal(0, await server.TerminateAsync(StopTimeout));
        }
    }

    [Fact]
    public async Task Http_OnIpv6_NamesItselfWithTheAddressInBrackets()
    {
        var (server, port) = await StartOnAsync("::1");
        using (server)
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://[::1]:{port}") };
            Assert.Equal($"[::1]:{port}\n", await client.GetStringAsync("/", TestContext.Current.CancellationToken));
            Assert.Equal(0, await server.TerminateAsync(StopTimeout));
        }
    }

    [Fact]
    public async Task Http_HealthToggle_Answers503UntilUp()
    {
        var (server, port) = await StartAsync();
        using (server)
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var ct = TestContext.Current.CancellationToken;

            using var getDown = await client.GetAsync("/healthcheck/down", ct);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, getDown.StatusCode);

            using var down = await client.PostAsync("/healthcheck/down", null, ct);
            Assert.Equal(HttpStatusCode.OK, down.StatusCode);
            using var unhealthy = await client.GetAsync("/healthcheck", ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unhealthy.StatusCode);
            using var rootWhileDown = await client.GetAsync("/", ct);
            Assert.Equal(HttpStatusCode.OK, rootWhileDown.StatusCode);

            using var up = await client.PostAsync("/healthcheck/up", new StringContent("ignored body"), ct);
            Assert.Equal(HttpStatusCode.OK, up.StatusCode);
            using var healthy = await client.GetAsync("/healthcheck", ct);
            Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);

            Assert.Equal(0, await server.TerminateAsync(StopTimeout));
        }
    }

    [Fact]
    public async Task Http_Delay_WaitsBeforeAnswering()
    {
        var (server, port) = await StartAsync("--name", "slow-one");
        using (server)
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var ct = TestContext.Current.CancellationToken;
            Assert.Equal("slow-one\n", await client.GetStringAsync("/", ct));

            var stopwatch = Stopwatch.StartNew();
            Assert.Equal("slow-one\n", await client.GetStringAsync("/?delay=400", ct));
            Assert.True(stopwatch.ElapsedMilliseconds >= 390, $"answered after {stopwatch.ElapsedMilliseconds} ms");

            Assert.Equal(0, await server.TerminateAsync(StopTimeout));
        }
    }

    [Fact]
    public async Task Http_KeepAlive_TwoRequestsAndPipelinedPairOnOneConnection()
    {
        var (server, port) = await StartAsync();
        using (server)
        {
            var ct = TestContext.Current.CancellationToken;
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, port, ct);
            var reader = new ResponseReader(socket);

            await SendAsync(socket, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            var first = await reader.ReadAsync();
            Assert.StartsWith("HTTP/1.1 200 OK\r\n", first.Head, StringComparison.Ordinal);
            Assert.Equal($"127.0.0.1:{port}\n", first.Body);

            // A body is read and dropped; the next request on the connection still parses.
            await SendAsync(socket, "POST /healthcheck HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
            var second = await reader.ReadAsync();
            Assert.Equal("OK", second.Body);

            // Two pipelined requests in one write, the second asking to close.
            await SendAsync(socket, "GET /healthcheck HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
            Assert.Equal("OK", (await reader.ReadAsync()).Body);
            var last = await reader.ReadAsync();
            Assert.Contains("Connection: close\r\n", last.Head, StringComparison.Ordinal);
            Assert.Equal($"127.0.0.1:{port}\n", last.Body);
            Assert.True(await reader.AtEndAsync(), "the server keeps the connection open after Connection: close");

            Assert.Equal(0, await server.TerminateAsync(StopTimeout));
        }
    }

    [Fact]
    public async Task Tcp_GreetsWithNameThenEchoes()
    {
        var (server, port) = await StartAsync("--protocol", "tcp");
        using (server)
        {
            var ct = TestContext.Current.CancellationToken;
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, port, ct);
            var greeting = $"127.0.0.1:{port}\n";
            Assert.Equal(greeting, await ReceiveExactlyAsync(socket, Encoding.ASCII.GetByteCount(greeting)));

            await SendAsync(socket, "ping through the listener");
            Assert.Equal("ping through the listener", await ReceiveExactlyAsync(socket, 25));
            socket.Shutdown(SocketShutdown.Send);
            Assert.Equal(0, await socket.ReceiveAsync(new byte[16], SocketFlags.None, ct));

            Assert.Equal(0, await server.TerminateAsync(StopTimeout));
        }
    }

    [Fact]
    public async Task Sigterm_WithOpenConnection_ExitsZeroPromptly()
    {
        var (server, port) = await StartAsync();
        using (server)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
            await SendAsync(socket, "GET /?delay=60000 HTTP/1.1\r\nHost: a\r\n\r\n");

            var stopwatch = Stopwatch.StartNew();
            Assert.Equal(0, await server.TerminateAsync(StopTimeout));
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3), $"exited {stopwatch.Elapsed} after SIGTERM");
        }
    }

    private static Task<(OctaviaProcess Server, int Port)> StartAsync(params string[] extra) => StartOnAsync("127.0.0.1", extra);

    private static async Task<(OctaviaProcess Server, int Port)> StartOnAsync(string address, params string[] extra)
    {
        var port = OctaviaProcess.FreePort();
        var server = OctaviaProcess.Start(null, ["server", "serve", "--address", address, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. extra]);
        try
        {
            await server.WaitForOutputAsync($"on {new IPEndPoint(IPAddress.Parse(address), port)}", StartTimeout);
        }
        catch
        {
            server.Dispose();
            throw;
        }

        return (server, port);
    }

    private static async Task SendAsync(Socket socket, string text) =>
        await socket.SendAsync(Encoding.ASCII.GetBytes(text), SocketFlags.None, TestContext.Current.CancellationToken);

    private static async Task<string> ReceiveExactlyAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        var received = 0;
        while (received < count)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, TestContext.Current.CancellationToken);
            Assert.NotEqual(0, read);
            received += read;
        }

        return Encoding.ASCII.GetString(buffer);
    }

    /// <summary>Reads HTTP/1.1 responses with a Content-Length off one socket, keeping what arrives early for the next one.</summary>
    private sealed class ResponseReader(Socket socket)
    {
        private readonly List<byte> _pending = [];

        public async Task<(string Head, string Body)> ReadAsync()
        {
            int headEnd;
            while ((headEnd = IndexOfHeadEnd()) < 0)
            {
                Assert.True(await FillAsync(), "connection closed before a whole response head");
            }

            var head = Encoding.ASCII.GetString(_pending.GetRange(0, headEnd).ToArray());
            var lengthLine = head.Split("\r\n").Single(l => l.StartsWith("Content-Length: ", StringComparison.OrdinalIgnoreCase));
            var length = int.Parse(lengthLine["Content-Length: ".Length..], System.Globalization.CultureInfo.InvariantCulture);
            while (_pending.Count < headEnd + 4 + length)
            {
                Assert.True(await FillAsync(), "connection closed before a whole response body");
            }

            var body = Encoding.ASCII.GetString(_pending.GetRange(headEnd + 4, length).ToArray());
            _pending.RemoveRange(0, headEnd + 4 + length);
            return (head + "\r\n", body);
        }

        public async Task<bool> AtEndAsync() => _pending.Count == 0 && !await FillAsync();

        private int IndexOfHeadEnd()
        {
            for (var i = 0; i + 3 < _pending.Count; i++)
            {
                if (_pending[i] == '\r' && _pending[i + 1] == '\n' && _pending[i + 2] == '\r' && _pending[i + 3] == '\n')
                {
                    return i;
                }
            }

            return -1;
        }

        private async Task<bool> FillAsync()
        {
            var buffer = new byte[4096];
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, TestContext.Current.CancellationToken);
            _pending.AddRange(buffer.AsSpan(0, read));
            return read > 0;
        }
    }
}
