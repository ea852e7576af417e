using System.Globalization;
using System.Text;
using Octavia.Core.Model;
using Octavia.Core.Statuses;

namespace Octavia.Drivers.Amphora.Rest;

/// <summary>
/// Renders one load balancer's HAProxy configuration from its objects, as upstream's Jinja templates do
/// (reference/amphora.md §5): global and defaults, one frontend per enabled listener, one backend per
/// (pool, listener) pair, health checks, session persistence, header insertion and L7 rules. Plain code,
/// section by section, checked against golden files that <c>haproxy -c</c> accepts.
/// </summary>
public static class HaproxyConfigRenderer
{
    public static string Render(LoadBalancer lb, HaproxyRenderOptions options)
    {
        var sb = new StringBuilder();
        var listeners = lb.Enabled
            ? lb.Listeners.Where(l => l.Enabled && l.ProvisioningStatus != ProvisioningStatus.PendingDelete && l.Protocol is not ("UDP" or "SCTP"))
                .OrderBy(l => l.ProtocolPort).ThenBy(l => l.Id).ToList()
            : [];
        var pools = lb.Pools.Where(Renderable).ToDictionary(p => p.Id);

        sb.Append("# Configuration for loadbalancer ").Append(lb.Id).Append('\n');
        RenderGlobal(sb, lb, listeners, pools, options);
        RenderDefaults(sb, options);
        foreach (var listener in listeners)
        {
            RenderFrontend(sb, lb, listener, pools, options);
            foreach (var pool in PoolsOf(listener, pools))
            {
                RenderBackend(sb, listener, pool, options);
            }
        }

        return sb.ToString();
    }

    private static bool Renderable(Pool pool) => pool.Enabled && pool.ProvisioningStatus != ProvisioningStatus.PendingDelete;

    /// <summary>A listener's default pool and the redirect pools of its enabled L7 policies that have an enabled rule.</summary>
    private static IEnumerable<Pool> PoolsOf(Listener listener, IReadOnlyDictionary<string, Pool> pools)
    {
        var ids = new List<string>();
        if (listener.DefaultPoolId is { } defaultPool)
        {
            ids.Add(defaultPool);
        }

        ids.AddRange(ActivePolicies(listener).Where(p => p.RedirectPoolId is not null).Select(p => p.RedirectPoolId!));
        return ids.Distinct().Where(pools.ContainsKey).Select(id => pools[id]);
    }

    private static IEnumerable<L7Policy> ActivePolicies(Listener listener) =>
        listener.L7Policies
            .Where(p => p.Enabled && p.ProvisioningStatus != ProvisioningStatus.PendingDelete && ActiveRules(p).Any())
            .OrderBy(p => p.Position);

    private static IEnumerable<L7Rule> ActiveRules(L7Policy policy) =>
        policy.Rules.Where(r => r.Enabled && r.ProvisioningStatus != ProvisioningStatus.PendingDelete);

    /// <summary>The listener's limit (or the default), never above what the open-file limit lets HAProxy start with.</summary>
    private static int ConnectionLimit(Listener listener, HaproxyRenderOptions options) =>
        Math.Min(listener.ConnectionLimit > -1 ? listener.ConnectionLimit : options.DefaultConnectionLimit,
            HaproxyRenderOptions.MaxConnectionsFor(options.OpenFileLimit));

    private static void RenderGlobal(StringBuilder sb, LoadBalancer lb, List<Listener> listeners, IReadOnlyDictionary<string, Pool> pools,
        HaproxyRenderOptions options)
    {
        long total = listeners.Sum(l => (long)ConnectionLimit(l, options));
        var ceiling = Math.Min(options.MaxGlobalConnections, HaproxyRenderOptions.MaxConnectionsFor(options.OpenFileLimit));
        var maxconn = total > 0 && total < ceiling ? total : ceiling;
        sb.Append("global\n");
        // The agent starts HAProxy as a master-worker daemon (-W -D); the master stays root, workers run as nobody.
        sb.Append("    daemon\n");
        sb.Append("    user nobody\n");
        sb.Append(CultureInfo.InvariantCulture, $"    log /run/rsyslog/octavia/log local{options.UserLogFacility}\n");
        sb.Append(CultureInfo.InvariantCulture, $"    log /run/rsyslog/octavia/log local{options.AdministrativeLogFacility} notice\n");
        // Seamless reloads (docs/haproxy-reloads.md): the new worker takes the listening sockets over from the old one
        // instead of binding anew, so no connection is refused while the reload runs.
        sb.Append(CultureInfo.InvariantCulture, $"    stats socket {options.BasePath}/{lb.Id}.sock mode 0666 level user expose-fd listeners\n");
        sb.Append(CultureInfo.InvariantCulture, $"    server-state-file {options.BasePath}/{lb.Id}/servers-state\n");
        sb.Append(CultureInfo.InvariantCulture, $"    maxconn {maxconn}\n");
        // An old worker finishes its connections after a reload, but not for longer than this.
        sb.Append(CultureInfo.InvariantCulture, $"    hard-stop-after {(int)options.HardStopAfter.TotalSeconds}s\n");
        var usedPools = listeners.SelectMany(l => PoolsOf(l, pools)).Distinct();
        if (usedPools.Any(p => p.HealthMonitor is { Enabled: true, Type: "PING" }))
        {
            sb.Append("    external-check\n");
            sb.Append("    insecure-fork-wanted\n");
        }

        sb.Append('\n');
    }

    private static void RenderDefaults(StringBuilder sb, HaproxyRenderOptions options)
    {
        sb.Append("defaults\n");
        sb.Append(options.ConnectionLogging ? "    log global\n" : "    no log\n");
        sb.Append("    retries 3\n");
        sb.Append("    option redispatch\n");
        sb.Append("    option splice-request\n");
        sb.Append("    option splice-response\n");
        sb.Append("    option http-keep-alive\n");
        // At a reload the old worker would close idle kept-alive connections at once, racing clients that send on
        // them; with this it answers their next request with "Connection: close" instead (docs/haproxy-reloads.md).
        sb.Append("    option idle-close-on-response\n");
        sb.Append('\n');
    }

    private static string ListenerMode(string protocol) => protocol is "HTTP" or "TERMINATED_HTTPS" or "PROMETHEUS" ? "http" : "tcp";

    private static void RenderFrontend(StringBuilder sb, LoadBalancer lb, Listener listener, IReadOnlyDictionary<string, Pool> pools,
        HaproxyRenderOptions options)
    {
        var mode = ListenerMode(listener.Protocol);
        sb.Append("frontend ").Append(listener.Id).Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"    maxconn {ConnectionLimit(listener, options)}\n");
        if (listener.Protocol == "TERMINATED_HTTPS" && listener.HstsMaxAge is { } maxAge)
        {
            sb.Append(CultureInfo.InvariantCulture, $"    http-response set-header Strict-Transport-Security \"max-age={maxAge};")
                .Append(listener.HstsIncludeSubdomains ? " includeSubDomains;" : "")
                .Append(listener.HstsPreload ? " preload;" : "")
                .Append("\"\n");
        }

        foreach (var address in new[] { lb.VipAddress }.Concat(lb.AdditionalVips.Select(v => v.IpAddress)).Where(a => a is not null))
        {
            sb.Append("    bind ").Append(BindAddress(address!)).Append(':').Append(listener.ProtocolPort.ToString(CultureInfo.InvariantCulture));
            if (listener.Protocol == "TERMINATED_HTTPS")
            {
                sb.Append(CultureInfo.InvariantCulture, $" ssl crt-list {options.CertDirectory}/{lb.Id}/{listener.Id}.pem");
                RenderTlsOptions(sb, listener.TlsCiphers, listener.TlsVersions, listener.AlpnProtocols);
            }

            sb.Append('\n');
        }

        sb.Append("    mode ").Append(mode).Append('\n');
        if (listener.AllowedCidrs is { Count: > 0 } cidrs)
        {
            // Connections from anywhere else are refused before any byte is read.
            sb.Append("    tcp-request connection reject unless { src ").Append(string.Join(' ', cidrs)).Append(" }\n");
        }

        if (mode == "http")
        {
            foreach (var policy in ActivePolicies(listener))
            {
                RenderPolicy(sb, listener, policy, pools);
            }
        }

        if (listener.DefaultPoolId is { } defaultPool && pools.ContainsKey(defaultPool))
        {
            sb.Append("    default_backend ").Append(defaultPool).Append(':').Append(listener.Id).Append('\n');
        }

        sb.Append(CultureInfo.InvariantCulture, $"    timeout client {listener.TimeoutClientData}\n");
        if (listener.TimeoutTcpInspect > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"    tcp-request inspect-delay {listener.TimeoutTcpInspect}\n");
        }

        if (options.ConnectionLogging)
        {
            sb.Append("    log-format ").Append(LogFormat(lb, listener, options)).Append('\n');
        }

        sb.Append('\n');
    }

    private static string BindAddress(string address) => address.Contains(':', StringComparison.Ordinal) ? $"[{address}]" : address;

    private static void RenderTlsOptions(StringBuilder sb, string? ciphers, List<string>? versions, List<string>? alpn)
    {
        if (!string.IsNullOrEmpty(ciphers))
        {
            sb.Append(" ciphers ").Append(ciphers);
        }

        if (versions is { Count: > 0 })
        {
            foreach (var (version, flag) in new[] { ("SSLv3", "no-sslv3"), ("TLSv1", "no-tlsv10"), ("TLSv1.1", "no-tlsv11"), ("TLSv1.2", "no-tlsv12"), ("TLSv1.3", "no-tlsv13") })
            {
                if (!versions.Contains(version))
                {
                    sb.Append(' ').Append(flag);
                }
            }
        }

        if (alpn is { Count: > 0 })
        {
            sb.Append(" alpn ").Append(string.Join(',', alpn));
        }
    }

    private static string LogFormat(LoadBalancer lb, Listener listener, HaproxyRenderOptions options)
    {
        var format = options.UserLogFormat.Replace("{{ project_id }}", lb.ProjectId, StringComparison.Ordinal)
            .Replace("{{ lb_id }}", lb.Id, StringComparison.Ordinal);
        if (ListenerMode(listener.Protocol) != "http")
        {
            // There is no HTTP request line or status in TCP mode.
            format = format.Replace("%{+Q}r", "-", StringComparison.Ordinal).Replace("%r", "-", StringComparison.Ordinal)
                .Replace("%{+Q}ST", "-", StringComparison.Ordinal).Replace("%ST", "-", StringComparison.Ordinal);
        }

        return format.Replace(" ", "\\ ", StringComparison.Ordinal);
    }

    private static void RenderPolicy(StringBuilder sb, Listener listener, L7Policy policy, IReadOnlyDictionary<string, Pool> pools)
    {
        var rules = ActiveRules(policy).ToList();
        foreach (var rule in rules)
        {
            sb.Append("    acl ").Append(rule.Id).Append(' ').Append(AclCriterion(rule)).Append('\n');
        }

        var condition = string.Join(' ', rules.Select(r => (r.Invert ? "!" : "") + r.Id));
        var code = policy.RedirectHttpCode is { } c ? $"code {c} " : "";
        switch (policy.Action)
        {
            case "REJECT":
                sb.Append("    http-request deny if ").Append(condition).Append('\n');
                break;
            case "REDIRECT_TO_URL":
                sb.Append("    redirect ").Append(code).Append("location ").Append(policy.RedirectUrl).Append(" if ").Append(condition).Append('\n');
                break;
            case "REDIRECT_PREFIX":
                sb.Append("    redirect ").Append(code).Append("prefix ").Append(policy.RedirectPrefix).Append(" if ").Append(condition).Append('\n');
                break;
            case "REDIRECT_TO_POOL" when policy.RedirectPoolId is { } poolId && pools.ContainsKey(poolId):
                sb.Append("    use_backend ").Append(poolId).Append(':').Append(listener.Id).Append(" if ").Append(condition).Append('\n');
                break;
        }
    }

    private static string AclCriterion(L7Rule rule)
    {
        var fetch = rule.Type switch
        {
            "HOST_NAME" => "req.hdr(host) -i",
            "PATH" => "path",
            "FILE_TYPE" => "path_end",
            "HEADER" => $"req.hdr({rule.Key})",
            "COOKIE" => $"req.cook({rule.Key})",
            "SSL_CONN_HAS_CERT" => "ssl_c_used",
            "SSL_VERIFY_RESULT" => "ssl_c_verify eq",
            _ => $"ssl_c_s_dn({rule.Key})",
        };
        if (rule.Type == "SSL_CONN_HAS_CERT")
        {
            return fetch;
        }

        if (rule.Type == "SSL_VERIFY_RESULT")
        {
            return fetch + " " + rule.Value;
        }

        var flag = rule.CompareType switch
        {
            "REGEX" => "-m reg",
            "STARTS_WITH" => "-m beg",
            "ENDS_WITH" => "-m end",
            "CONTAINS" => "-m sub",
            _ => rule.Type == "FILE_TYPE" ? "" : "-m str",
        };
        var value = rule.Value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace(" ", "\\ ", StringComparison.Ordinal);
        return flag.Length == 0 ? $"{fetch} {value}" : $"{fetch} {flag} {value}";
    }

    private static string PoolMode(Pool pool, Listener listener) => pool.Protocol switch
    {
        "HTTP" => "http",
        "PROXY" or "PROXYV2" => ListenerMode(listener.Protocol),
        _ => "tcp",
    };

    private static void RenderBackend(StringBuilder sb, Listener listener, Pool pool, HaproxyRenderOptions options)
    {
        var mode = PoolMode(pool, listener);
        var monitor = pool.HealthMonitor is { Enabled: true } hm && hm.ProvisioningStatus != ProvisioningStatus.PendingDelete ? hm : null;
        sb.Append("backend ").Append(pool.Id).Append(':').Append(listener.Id).Append('\n');
        sb.Append("    mode ").Append(mode).Append('\n');
        if (mode == "http")
        {
            sb.Append("    http-reuse safe\n");
        }

        if (pool.LbAlgorithm == "SOURCE_IP_PORT")
        {
            // Client address and port hashed together (HAProxy 2.6 `balance hash`); the port goes through a variable
            // because concat() joins variables, not fetches.
            sb.Append("    tcp-request content set-var(txn.src_port) src_port\n");
        }

        sb.Append("    balance ").Append(pool.LbAlgorithm switch
        {
            "LEAST_CONNECTIONS" => "leastconn",
            "SOURCE_IP" => "source",
            "SOURCE_IP_PORT" => "hash src,concat(:,txn.src_port)",
            _ => "roundrobin",
        }).Append('\n');
        var persistence = pool.SessionPersistence;
        switch (persistence?.Type)
        {
            case "SOURCE_IP":
                sb.Append("    stick-table type ipv6 size ").Append(options.StickSize).Append('\n');
                sb.Append("    stick on src\n");
                break;
            case "APP_COOKIE":
                sb.Append("    stick-table type string len 64 size ").Append(options.StickSize).Append('\n');
                sb.Append("    stick store-response res.cook(").Append(persistence.CookieName).Append(")\n");
                sb.Append("    stick match req.cook(").Append(persistence.CookieName).Append(")\n");
                break;
            case "HTTP_COOKIE":
                sb.Append("    cookie SRV insert indirect nocache\n");
                break;
        }

        if (monitor is not null)
        {
            sb.Append("    load-server-state-from-file global\n");
            sb.Append(CultureInfo.InvariantCulture, $"    timeout check {monitor.Timeout}s\n");
            RenderCheck(sb, monitor);
        }

        if (mode == "http")
        {
            RenderHeaders(sb, listener);
        }

        sb.Append(CultureInfo.InvariantCulture, $"    fullconn {ConnectionLimit(listener, options)}\n");
        sb.Append("    option allbackups\n");
        sb.Append(CultureInfo.InvariantCulture, $"    timeout connect {listener.TimeoutMemberConnect}\n");
        sb.Append(CultureInfo.InvariantCulture, $"    timeout server {listener.TimeoutMemberData}\n");
        foreach (var member in pool.Members.Where(m => m.ProvisioningStatus != ProvisioningStatus.PendingDelete).OrderBy(m => m.CreatedAt).ThenBy(m => m.Id))
        {
            RenderServer(sb, listener, pool, monitor, member);
        }

        sb.Append('\n');
    }

    private static void RenderCheck(StringBuilder sb, HealthMonitor monitor)
    {
        switch (monitor.Type)
        {
            case "HTTP" or "HTTPS":
                sb.Append("    option httpchk ").Append(monitor.HttpMethod ?? "GET").Append(' ').Append(monitor.UrlPath ?? "/");
                if (monitor.HttpVersion is { } version)
                {
                    sb.Append(" HTTP/").Append(version.ToString("0.0", CultureInfo.InvariantCulture));
                }

                sb.Append('\n');
                if (monitor.HttpVersion is >= 1.1 && monitor.DomainName is { } domain)
                {
                    sb.Append("    http-check send hdr Host ").Append(domain).Append('\n');
                }

                sb.Append("    http-check expect rstatus ").Append(ExpectedCodes(monitor.ExpectedCodes ?? "200")).Append('\n');
                break;
            case "PING":
                sb.Append("    option external-check\n");
                sb.Append("    external-check command /var/lib/octavia/ping-wrapper.sh\n");
                break;
        }
    }

    /// <summary><c>200-204</c> → <c>200|201|202|203|204</c>; <c>200, 202</c> → <c>200|202</c>.</summary>
    public static string ExpectedCodes(string codes)
    {
        var range = codes.Split('-', StringSplitOptions.TrimEntries);
        if (range.Length == 2 && int.TryParse(range[0], CultureInfo.InvariantCulture, out var from) && int.TryParse(range[1], CultureInfo.InvariantCulture, out var to))
        {
            return string.Join('|', Enumerable.Range(from, Math.Max(0, to - from + 1)));
        }

        return string.Join('|', codes.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
    }

    private static void RenderHeaders(StringBuilder sb, Listener listener)
    {
        bool On(string key) => listener.InsertHeaders.TryGetValue(key, out var v) && v.Equals("true", StringComparison.OrdinalIgnoreCase);
        if (On("X-Forwarded-For"))
        {
            sb.Append("    option forwardfor\n");
        }

        if (On("X-Forwarded-Port"))
        {
            sb.Append("    http-request set-header X-Forwarded-Port %[dst_port]\n");
        }

        if (On("X-Forwarded-Proto"))
        {
            sb.Append("    http-request set-header X-Forwarded-Proto ").Append(listener.Protocol == "TERMINATED_HTTPS" ? "https" : "http").Append('\n');
        }

        if (listener.Protocol != "TERMINATED_HTTPS")
        {
            return;
        }

        foreach (var (key, fetch) in new[]
        {
            ("X-SSL-Client-Verify", "%[ssl_c_verify]"), ("X-SSL-Client-Has-Cert", "%[ssl_c_used]"), ("X-SSL-Client-DN", "%{+Q}[ssl_c_s_dn]"),
            ("X-SSL-Client-CN", "%{+Q}[ssl_c_s_dn(cn)]"), ("X-SSL-Issuer", "%{+Q}[ssl_c_i_dn]"), ("X-SSL-Client-SHA1", "%{+Q}[ssl_c_sha1,hex]"),
            ("X-SSL-Client-Not-Before", "%{+Q}[ssl_c_notbefore]"), ("X-SSL-Client-Not-After", "%{+Q}[ssl_c_notafter]"),
        })
        {
            if (On(key))
            {
                sb.Append("    http-request set-header ").Append(key).Append(' ').Append(fetch).Append('\n');
            }
        }
    }

    private static void RenderServer(StringBuilder sb, Listener listener, Pool pool, HealthMonitor? monitor, Member member)
    {
        sb.Append("    server ").Append(member.Id).Append(' ').Append(BindAddress(member.Address)).Append(':')
            .Append(member.ProtocolPort.ToString(CultureInfo.InvariantCulture))
            .Append(" weight ").Append(member.Weight.ToString(CultureInfo.InvariantCulture));
        if (monitor is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $" check");
            if (monitor.Type == "HTTPS")
            {
                sb.Append(" check-ssl verify none");
            }

            sb.Append(CultureInfo.InvariantCulture, $" inter {monitor.Delay}s fall {monitor.MaxRetriesDown} rise {monitor.MaxRetries}");
            if (member.MonitorAddress is { } address)
            {
                sb.Append(" addr ").Append(address);
            }

            if (member.MonitorPort is { } port)
            {
                sb.Append(" port ").Append(port.ToString(CultureInfo.InvariantCulture));
            }
        }

        if (pool.SessionPersistence?.Type == "HTTP_COOKIE")
        {
            sb.Append(" cookie ").Append(member.Id);
        }

        sb.Append(pool.Protocol switch
        {
            "PROXY" => " send-proxy",
            "PROXYV2" => listener.Protocol == "TERMINATED_HTTPS" ? " send-proxy-v2-ssl-cn" : " send-proxy-v2",
            _ => "",
        });
        if (member.Backup)
        {
            sb.Append(" backup");
        }

        if (!member.Enabled)
        {
            sb.Append(" disabled");
        }

        if (pool.TlsEnabled)
        {
            sb.Append(" ssl verify none sni ssl_fc_sni");
        }

        sb.Append('\n');
    }
}
