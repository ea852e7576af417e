using System.Diagnostics;
using System.Runtime.CompilerServices;
using Octavia.Core.Model;
using Octavia.Drivers.Amphora.Rest;

namespace Octavia.Drivers.Tests.Amphora;

/// <summary>
/// HAProxy configurations rendered from objects (reference/amphora.md §5) against golden files, each of
/// which the real <c>haproxy -c</c> accepts. Set OCTAVIA_UPDATE_GOLDEN=1 to rewrite the golden files.
/// </summary>
public sealed class HaproxyConfigRendererTests
{
    private const string Lb = "1b1b1b1b-0000-4000-8000-000000000001";
    private const string ListenerA = "2a2a2a2a-0000-4000-8000-000000000001";
    private const string ListenerB = "2a2a2a2a-0000-4000-8000-000000000002";
    private const string PoolA = "3c3c3c3c-0000-4000-8000-000000000001";
    private const string PoolB = "3c3c3c3c-0000-4000-8000-000000000002";
    private static readonly DateTime Created = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void WorkedExample_HttpRoundRobinCookieHttpMonitor() =>
        AssertGolden(Build(lb =>
        {
            var listener = AddListener(lb, ListenerA, "HTTP", 80);
            listener.InsertHeaders["X-Forwarded-For"] = "true";
            var pool = AddPool(lb, PoolA, "HTTP", "ROUND_ROBIN", listener);
            pool.SessionPersistence = new SessionPersistence { Type = "HTTP_COOKIE" };
            pool.HealthMonitor = TestModels.Monitor("HTTP", delay: 5, timeout: 3, rise: 2, fall: 3, url: "/healthz");
            AddMember(pool, 1, "192.0.2.10", 80);
            AddMember(pool, 2, "192.0.2.11", 80);
        }));

    [Fact]
    public void TcpSourceIp_TcpMonitor_BackupDisabledAndMonitorAddress() =>
        AssertGolden(Build(lb =>
        {
            var listener = AddListener(lb, ListenerA, "TCP", 3306);
            listener.ConnectionLimit = 1000;
            listener.TimeoutTcpInspect = 100;
            listener.AllowedCidrs = ["192.0.2.0/24", "2001:db8::/32"];
            var pool = AddPool(lb, PoolA, "TCP", "SOURCE_IP", listener);
            pool.SessionPersistence = new SessionPersistence { Type = "SOURCE_IP" };
            pool.HealthMonitor = TestModels.Monitor("TCP", delay: 2, timeout: 1, rise: 3, fall: 2);
            AddMember(pool, 1, "192.0.2.10", 3306).Weight = 5;
            var backup = AddMember(pool, 2, "192.0.2.11", 3306);
            backup.Backup = true;
            backup.MonitorAddress = "192.0.2.12";
            backup.MonitorPort = 9000;
            AddMember(pool, 3, "2001:db8::10", 3306).Enabled = false;
        }));

    [Fact]
    public void HttpL7PoliciesHeadersLeastConnAppCookieAndPing() =>
        AssertGolden(Build(lb =>
        {
            var listener = AddListener(lb, ListenerA, "HTTP", 8080);
            listener.InsertHeaders["X-Forwarded-Port"] = "true";
            listener.InsertHeaders["X-Forwarded-Proto"] = "TRUE";
            var web = AddPool(lb, PoolA, "HTTP", "LEAST_CONNECTIONS", listener);
            web.SessionPersistence = new SessionPersistence { Type = "APP_COOKIE", CookieName = "JSESSIONID" };
            web.HealthMonitor = TestModels.Monitor("HTTP", delay: 10, timeout: 5, rise: 2, fall: 2, url: "/health", codes: "200-202", version: 1.1, domain: "example.org");
            AddMember(web, 1, "192.0.2.10", 8080);
            var api = AddPool(lb, PoolB, "HTTP", "ROUND_ROBIN", null);
            api.HealthMonitor = TestModels.Monitor("PING", delay: 3, timeout: 2, rise: 1, fall: 1);
            AddMember(api, 2, "192.0.2.20", 9000);
            AddPolicy(listener, 1, "REDIRECT_TO_POOL", p => p.RedirectPoolId = PoolB, Rule(1, "PATH", "STARTS_WITH", "/api"), Rule(2, "HEADER", "EQUAL_TO", "beta", key: "X-Env", invert: true));
            AddPolicy(listener, 2, "REJECT", null, Rule(3, "FILE_TYPE", "EQUAL_TO", "php"));
            AddPolicy(listener, 3, "REDIRECT_TO_URL", p =>
            {
                p.RedirectUrl = "https://www.example.org/";
                p.RedirectHttpCode = 301;
            }, Rule(4, "HOST_NAME", "ENDS_WITH", "old.example.org"));
            AddPolicy(listener, 4, "REDIRECT_PREFIX", p =>
            {
                p.RedirectPrefix = "https://example.org";
                p.RedirectHttpCode = 302;
            }, Rule(5, "COOKIE", "REGEX", "^a b$", key: "flavour"));
        }));

    [Fact]
    public void TwoListeners_SourceIpPort_ProxyProtocol_DisabledListenerSkipped() =>
        AssertGolden(Build(lb =>
        {
            var http = AddListener(lb, ListenerA, "HTTP", 80);
            var pool = AddPool(lb, PoolA, "PROXY", "SOURCE_IP_PORT", http);
            AddMember(pool, 1, "192.0.2.10", 80);
            var off = AddListener(lb, ListenerB, "TCP", 81);
            off.Enabled = false;
        }));

    [Fact]
    public void ExpectedCodes_RangesAndLists()
    {
        Assert.Equal("200|201|202|203|204", HaproxyConfigRenderer.ExpectedCodes("200-204"));
        Assert.Equal("200|202", HaproxyConfigRenderer.ExpectedCodes("200, 202"));
        Assert.Equal("200", HaproxyConfigRenderer.ExpectedCodes("200"));
    }

    private static LoadBalancer Build(Action<LoadBalancer> configure)
    {
        var lb = new LoadBalancer
        {
            Id = Lb,
            ProjectId = "project1",
            ProvisioningStatus = "ACTIVE",
            OperatingStatus = "ONLINE",
            Provider = "amphora",
            VipAddress = "203.0.113.10",
            CreatedAt = Created,
        };
        configure(lb);
        return lb;
    }

    private static Listener AddListener(LoadBalancer lb, string id, string protocol, int port)
    {
        var listener = new Listener
        {
            Id = id,
            ProjectId = lb.ProjectId,
            LoadBalancerId = lb.Id,
            ProvisioningStatus = "ACTIVE",
            OperatingStatus = "ONLINE",
            Protocol = protocol,
            ProtocolPort = port,
            TimeoutClientData = 50000,
            TimeoutMemberConnect = 5000,
            TimeoutMemberData = 50000,
            CreatedAt = Created,
        };
        lb.Listeners.Add(listener);
        return listener;
    }

    private static Pool AddPool(LoadBalancer lb, string id, string protocol, string algorithm, Listener? defaultOf)
    {
        var pool = new Pool
        {
            Id = id,
            ProjectId = lb.ProjectId,
            LoadBalancerId = lb.Id,
            ProvisioningStatus = "ACTIVE",
            OperatingStatus = "ONLINE",
            Protocol = protocol,
            LbAlgorithm = algorithm,
            CreatedAt = Created,
        };
        lb.Pools.Add(pool);
        if (defaultOf is not null)
        {
            defaultOf.DefaultPoolId = id;
        }

        return pool;
    }

    private static Member AddMember(Pool pool, int n, string address, int port)
    {
        var member = TestModels.Member(pool, $"4d4d4d4d-0000-4000-8000-00000000000{n}", address, port, Created.AddSeconds(n));
        pool.Members.Add(member);
        return member;
    }

    private static void AddPolicy(Listener listener, int position, string action, Action<L7Policy>? configure, params L7Rule[] rules)
    {
        var policy = new L7Policy
        {
            Id = $"6f6f6f6f-0000-4000-8000-00000000000{position}",
            ProjectId = listener.ProjectId,
            ListenerId = listener.Id,
            Action = action,
            Position = position,
            ProvisioningStatus = "ACTIVE",
            OperatingStatus = "ONLINE",
            CreatedAt = Created,
            Rules = [.. rules],
        };
        configure?.Invoke(policy);
        listener.L7Policies.Add(policy);
    }

    private static L7Rule Rule(int n, string type, string compare, string value, string? key = null, bool invert = false) => new()
    {
        Id = $"7a7a7a7a-0000-4000-8000-00000000000{n}",
        ProjectId = "project1",
        L7PolicyId = "",
        Type = type,
        CompareType = compare,
        Value = value,
        Key = key,
        Invert = invert,
        ProvisioningStatus = "ACTIVE",
        OperatingStatus = "ONLINE",
        CreatedAt = Created,
    };

    [Theory]
    [InlineData(20_000, 7_980)]
    [InlineData(1_048_576, 419_410)]
    [InlineData(1_024, 389)]
    public void MaxConnectionsFor_OpenFileLimit_LeavesTwoAndAHalfDescriptorsPerConnection(long limit, int expected) =>
        Assert.Equal(expected, HaproxyRenderOptions.MaxConnectionsFor(limit));

    [Fact]
    public void Render_ListenerLimitAboveWhatTheOpenFileLimitAllows_IsCapped()
    {
        var lb = Build(lb =>
        {
            var listener = AddListener(lb, ListenerA, "HTTP", 80);
            listener.ConnectionLimit = 50_000;
            AddPool(lb, PoolA, "HTTP", "ROUND_ROBIN", listener);
        });
        var rendered = HaproxyConfigRenderer.Render(lb, new HaproxyRenderOptions { OpenFileLimit = 20_000 });
        Assert.DoesNotContain("maxconn 50000", rendered, StringComparison.Ordinal);
        Assert.Equal(2, rendered.Split('\n').Count(l => l.Trim() == "maxconn 7980"));
    }

    private static void AssertGolden(LoadBalancer lb, [CallerMemberName] string name = "", [CallerFilePath] string source = "")
    {
        // A fixed open-file limit keeps the golden files independent of the machine they are rendered on.
        var rendered = HaproxyConfigRenderer.Render(lb, new HaproxyRenderOptions { OpenFileLimit = 20_000 });
        var golden = Path.Combine(Path.GetDirectoryName(source)!, "Golden", name + ".cfg");
        if (Environment.GetEnvironmentVariable("OCTAVIA_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(golden, rendered);
        }

        Assert.Equal(File.ReadAllText(golden), rendered);
        CheckWithHaproxy(rendered);
    }

    /// <summary>The real HAProxy must accept the configuration (`haproxy -c`).</summary>
    private static void CheckWithHaproxy(string config)
    {
        var file = Path.Combine(Path.GetTempPath(), "octavia-haproxy-" + Guid.NewGuid().ToString("N")[..12] + ".cfg");
        File.WriteAllText(file, config);
        try
        {
            var info = new ProcessStartInfo("haproxy") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "-c", "-f", file })
            {
                info.ArgumentList.Add(a);
            }

            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, "haproxy -c refused the configuration:\n" + output + "\n" + config);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
