using System.Net.Sockets;
using System.Text;
using Octavia.Api.Tests.Infrastructure;

namespace Octavia.Api.Tests.Http;

/// <summary>
/// Kept-alive connections stay usable: after errors of every kind (bad JSON, unknown path, wrong
/// method, an oversized body) and after idling, the same socket serves the next request, and no response
/// closes it without saying <c>Connection: close</c>. Error bodies are application/json.
/// </summary>
public sealed class ConnectionTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    [Fact]
    public async Task OneConnection_ServesRequestsAfterErrorsAndIdle()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(fixture.BaseAddress.Host, fixture.BaseAddress.Port, TestContext.Current.CancellationToken);
        var stream = tcp.GetStream();
        var host = $"{fixture.BaseAddress.Host}:{fixture.BaseAddress.Port}";

        string[] requests =
        [
            "POST /v2/lbaas/loadbalancers HTTP/1.1\r\nHost: H\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"broken\": ",
            "GET /v2/lbaas/nosuchresource HTTP/1.1\r\nHost: H\r\n\r\n",
            "PATCH /v2/lbaas/loadbalancers HTTP/1.1\r\nHost: H\r\nContent-Length: 2\r\n\r\n{}",
            "POST /v2/lbaas/loadbalancers HTTP/1.1\r\nHost: H\r\nContent-Type: application/json\r\nContent-Length: 200000\r\n\r\n" + new string('x', 200000),
            "GET /v2/lbaas/loadbalancers/00000000-0000-0000-0000-000000000001 HTTP/1.1\r\nHost: H\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: H\r\n\r\n",
        ];
        int[] expected = [400, 404, 405, 413, 404, 200];

        for (var i = 0; i < requests.Length; i++)
        {
            if (i == requests.Length - 1)
            {
                await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes(requests[i].Replace("Host: H", "Host: " + host, StringComparison.Ordinal)), TestContext.Current.CancellationToken);
            var (status, headers) = await ReadResponseAsync(stream);
            Assert.Equal(expected[i], status);
            Assert.DoesNotContain("connection: close", headers, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("x-openstack-request-id:", headers, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("content-type: application/json", headers, StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>Reads one HTTP/1.1 response (Content-Length or chunked) and returns its status and headers.</summary>
    private static async Task<(int Status, string Headers)> ReadResponseAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            head.Append((char)await ReadByteAsync(stream));
        }

        var headers = head.ToString();
        var status = int.Parse(headers.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var lengthLine = headers.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        if (lengthLine is not null)
        {
            var length = int.Parse(lengthLine.Split(':')[1].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            for (var i = 0; i < length; i++)
            {
                await ReadByteAsync(stream);
            }
        }
        else if (headers.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            while (true)
            {
                var line = await ReadLineAsync(stream);
                var size = Convert.ToInt32(line, 16);
                for (var i = 0; i < size + 2; i++)
                {
                    await ReadByteAsync(stream);
                }

                if (size == 0)
                {
                    break;
                }
            }
        }

        return (status, headers);
    }

    private static async Task<string> ReadLineAsync(NetworkStream stream)
    {
        var line = new StringBuilder();
        while (!line.ToString().EndsWith("\r\n", StringComparison.Ordinal))
        {
            line.Append((char)await ReadByteAsync(stream));
        }

        return line.ToString().TrimEnd();
    }

    private static async Task<byte> ReadByteAsync(NetworkStream stream)
    {
        var buffer = new byte[1];
        var read = await stream.ReadAsync(buffer, TestContext.Current.CancellationToken);
        return read == 1 ? buffer[0] : throw new IOException("The server closed the connection.");
    }
}
