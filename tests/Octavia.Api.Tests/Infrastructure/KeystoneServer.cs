using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Octavia.Api.Tests.Infrastructure;

/// <summary>
/// A real Keystone on loopback from Debian's packages (<c>python3-keystone</c> served by <c>uwsgi</c>):
/// SQLite state, Fernet keys and logs in a temporary directory. Disposing stops exactly the uwsgi
/// process it started and deletes the directory, also after a failed start.
/// </summary>
public sealed class KeystoneServer : IAsyncDisposable
{
    public const string AdminPassword = "octavia-admin-secret";
    public const string Region = "RegionOne";

    private readonly string _directory;
    private readonly int _port;
    private Process? _uwsgi;

    private KeystoneServer(string directory, int port)
    {
        _directory = directory;
        _port = port;
        Http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The v3 API, e.g. <c>http://127.0.0.1:PORT/v3</c>.</summary>
    public string Url => $"http://127.0.0.1:{_port}/v3";

    public HttpClient Http { get; }

    /// <summary>Sets up the database, keys and admin (<c>keystone-manage</c>), then serves it; about 20 s.</summary>
    public static async Task<KeystoneServer> StartAsync(CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetTempPath(), "octavia-keystone-" + Guid.NewGuid().ToString("N")[..12]);
        var server = new KeystoneServer(directory, FreePort());
        try
        {
            await server.SetUpAsync(cancellationToken);
            await server.ResumeAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private string ConfigFile => Path.Combine(_directory, "keystone.conf");

    private async Task SetUpAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.Combine(_directory, "fernet-keys"));
        Directory.CreateDirectory(Path.Combine(_directory, "credential-keys"));
        var database = Path.Combine(_directory, "keystone.db");
        await File.WriteAllTextAsync(ConfigFile, $"""
            [DEFAULT]
            log_dir = {_directory}
            [database]
            connection = sqlite:///{database}
            [fernet_tokens]
            key_repository = {_directory}/fernet-keys
            [credential]
            key_repository = {_directory}/credential-keys
            [cache]
            enabled = true
            backend = dogpile.cache.memory
            [identity]
            # bcrypt's least work: users are created and authenticated many times in tests.
            password_hash_rounds = 4
            """, cancellationToken);
        await ManageAsync(cancellationToken, "db_sync");
        // Keystone's SQLite otherwise answers concurrent requests with "database is locked" (500).
        await using (var connection = new SqliteConnection($"Data Source={database}"))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL";
            await command.ExecuteScalarAsync(cancellationToken);
        }

        SqliteConnection.ClearAllPools();
        await ManageAsync(cancellationToken, "fernet_setup", "--keystone-user", "root", "--keystone-group", "root");
        await ManageAsync(cancellationToken, "credential_setup", "--keystone-user", "root", "--keystone-group", "root");
        await ManageAsync(cancellationToken, "bootstrap", "--bootstrap-password", AdminPassword, "--bootstrap-region-id", Region,
            "--bootstrap-admin-url", Url, "--bootstrap-internal-url", Url, "--bootstrap-public-url", Url);
    }

    private async Task ManageAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        var info = Debian("/usr/bin/keystone-manage");
        info.ArgumentList.Add("--config-file");
        info.ArgumentList.Add(ConfigFile);
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("keystone-manage did not start.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"keystone-manage {arguments[0]} failed ({process.ExitCode}): {await output}{await error}");
        }
    }

    /// <summary>Debian's tools run with /usr/bin/python3, so /usr/bin goes first in PATH.</summary>
    private static ProcessStartInfo Debian(string program)
    {
        var info = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["PATH"] = "/usr/bin:/bin:" + Environment.GetEnvironmentVariable("PATH");
        info.Environment.Remove("PYTHONPATH");
        info.Environment.Remove("PYTHONHOME");
        return info;
    }

    /// <summary>Serves Keystone (again, after <see cref="StopAsync"/>) on the same port and state, and waits until it answers.</summary>
    public async Task ResumeAsync(CancellationToken cancellationToken)
    {
        if (_uwsgi is { HasExited: false })
        {
            return;
        }

        _uwsgi?.Dispose();
        var info = Debian("/usr/bin/uwsgi");
        // One process, one thread (Keystone's SQLite); no master, so the one process is all there is to stop.
        // uwsgi's plain HTTP socket drops kept-alive connections silently: tell clients not to keep them.
        foreach (var a in new[]
        {
            "--plugin", "python3", "--http-socket", $"127.0.0.1:{_port}", "--wsgi-file", "/usr/bin/keystone-wsgi-public",
            "--processes", "1", "--threads", "1", "--add-header", "Connection: close",
            "--env", "OS_KEYSTONE_CONFIG_FILES=" + ConfigFile, "--logto", Path.Combine(_directory, "uwsgi.log"),
        })
        {
            info.ArgumentList.Add(a);
        }

        info.RedirectStandardOutput = false;
        info.RedirectStandardError = false;
        _uwsgi = Process.Start(info) ?? throw new InvalidOperationException("uwsgi did not start.");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                using var response = await Http.GetAsync(Url, cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (_uwsgi.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("Keystone did not start: " + Log());
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>Stops serving (the port then refuses connections); state is kept for <see cref="ResumeAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_uwsgi is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }
    }

    /// <summary>Freezes (SIGSTOP) or thaws (SIGCONT) Keystone: connections are accepted but never answered while frozen.</summary>
    public async Task SignalAsync(bool freeze)
    {
        var pid = _uwsgi?.Id ?? throw new InvalidOperationException("Keystone is not running.");
        using var kill = Process.Start("kill", [freeze ? "-STOP" : "-CONT", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    public string Log()
    {
        var log = Path.Combine(_directory, "uwsgi.log");
        return File.Exists(log) ? File.ReadAllText(log) : "(no uwsgi log)";
    }

    /// <summary>A project-scoped token by password (<c>POST /v3/auth/tokens</c>).</summary>
    public async Task<string> IssueTokenAsync(string user, string password, string project)
    {
        var body = new JsonObject
        {
            ["auth"] = new JsonObject
            {
                ["identity"] = new JsonObject
                {
                    ["methods"] = new JsonArray("password"),
                    ["password"] = new JsonObject
                    {
                        ["user"] = new JsonObject { ["name"] = user, ["domain"] = new JsonObject { ["id"] = "default" }, ["password"] = password },
                    },
                },
                ["scope"] = new JsonObject
                {
                    ["project"] = new JsonObject { ["name"] = project, ["domain"] = new JsonObject { ["id"] = "default" } },
                },
            },
        };
        using var response = await Http.PostAsync(Url + "/auth/tokens", Json(body));
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"Keystone refused a token for {user}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return response.Headers.GetValues("X-Subject-Token").Single();
    }

    /// <summary>Revokes a token (<c>DELETE /v3/auth/tokens</c>, authorised by the token itself).</summary>
    public async Task RevokeTokenAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, Url + "/auth/tokens");
        request.Headers.Add("X-Auth-Token", token);
        request.Headers.Add("X-Subject-Token", token);
        using var response = await Http.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.NoContent)
        {
            throw new InvalidOperationException($"Revocation failed: {(int)response.StatusCode}");
        }
    }

    /// <summary>Creates (as the bootstrap admin) and returns the id; <paramref name="collection"/> is e.g. <c>projects</c>.</summary>
    public async Task<string> CreateAsync(string adminToken, string collection, JsonObject entity)
    {
        var singular = collection[..^1];
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Url}/{collection}") { Content = Json(new JsonObject { [singular] = entity }) };
        request.Headers.Add("X-Auth-Token", adminToken);
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"Creating {singular} failed: {(int)response.StatusCode} {text}");
        }

        return JsonNode.Parse(text)![singular]!["id"]!.GetValue<string>();
    }

    public async Task GrantAsync(string adminToken, string projectId, string userId, string roleId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"{Url}/projects/{projectId}/users/{userId}/roles/{roleId}");
        request.Headers.Add("X-Auth-Token", adminToken);
        using var response = await Http.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.NoContent)
        {
            throw new InvalidOperationException($"Granting a role failed: {(int)response.StatusCode}");
        }
    }

    /// <summary>The id of an existing role by name (bootstrap makes admin, member and reader).</summary>
    public async Task<string?> FindRoleAsync(string adminToken, string name)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Url}/roles?name={Uri.EscapeDataString(name)}");
        request.Headers.Add("X-Auth-Token", adminToken);
        using var response = await Http.SendAsync(request);
        var roles = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["roles"]!.AsArray();
        return roles.Count == 0 ? null : roles[0]!["id"]!.GetValue<string>();
    }

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_uwsgi is not null)
            {
                if (!_uwsgi.HasExited)
                {
                    await SignalAsync(freeze: false);
                }

                await StopAsync();
                _uwsgi.Dispose();
            }
        }
        finally
        {
            Http.Dispose();
            if (Directory.Exists(_directory))
            {
                Directory.Delete(_directory, recursive: true);
            }
        }
    }
}
