using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Octavia.Api.Tests.Infrastructure;
using Octavia.Core.Model;

namespace Octavia.Api.Tests.Resources;

/// <summary>Listener CRUD, validation, 409s and list features (reference/api.md §7), run on each database.</summary>
public abstract class ListenerTests(OctaviaFixture fixture)
{
    private static readonly string[] SampleKeys =
    [
        "id", "name", "description", "provisioning_status", "operating_status", "admin_state_up", "protocol", "protocol_port",
        "connection_limit", "default_tls_container_ref", "sni_container_refs", "project_id", "default_pool_id", "l7policies",
        "insert_headers", "created_at", "updated_at", "loadbalancers", "timeout_client_data", "timeout_member_connect",
        "timeout_member_data", "timeout_tcp_inspect", "tags", "client_ca_tls_container_ref", "client_authentication",
        "client_crl_container_ref", "allowed_cidrs", "tls_ciphers", "tls_versions", "alpn_protocols", "hsts_max_age",
        "hsts_include_subdomains", "hsts_preload", "tenant_id",
    ];

    private HttpClient Client => fixture.Client;

    private static string Body(string lbId, string fields) =>
        "{\"listener\": {\"loadbalancer_id\": \"" + lbId + "\"" + fields + "}}";

    [Fact]
    public async Task Create_Http_ReturnsSampleShapeThenActive()
    {
        var lbId = await Client.CreateLoadBalancerAsync("l-create", project: "p-listener");
        var response = await Client.ApiPostAsync("/v2/lbaas/listeners", Body(lbId, """, "name": "listener1", "protocol": "HTTP", "protocol_port": 80"""));

        Assert.Equal(HttpStatusCode.Created, response.Status);
        var l = response.Json["listener"]!.AsObject();
        Assert.Equal(SampleKeys, l.Select(p => p.Key).ToArray());
        Assert.Equal("PENDING_CREATE", l["provisioning_status"]!.GetValue<string>());
        Assert.Equal("OFFLINE", l["operating_status"]!.GetValue<string>());
        Assert.Equal("p-listener", l["project_id"]!.GetValue<string>());
        Assert.Equal("p-listener", l["tenant_id"]!.GetValue<string>());
        Assert.Equal(-1, l["connection_limit"]!.GetValue<int>());
        Assert.Equal(50000, l["timeout_client_data"]!.GetValue<int>());
        Assert.Equal(5000, l["timeout_member_connect"]!.GetValue<int>());
        Assert.Equal(50000, l["timeout_member_data"]!.GetValue<int>());
        Assert.Equal(0, l["timeout_tcp_inspect"]!.GetValue<int>());
        Assert.Equal("NONE", l["client_authentication"]!.GetValue<string>());
        Assert.Equal("{}", l["insert_headers"]!.ToJsonString());
        Assert.Equal("[]", l["l7policies"]!.ToJsonString());
        Assert.Equal("[]", l["sni_container_refs"]!.ToJsonString());
        Assert.Equal(lbId, l["loadbalancers"]![0]!["id"]!.GetValue<string>());
        Assert.Null(l["allowed_cidrs"]);
        Assert.Null(l["tls_ciphers"]);
        Assert.Null(l["tls_versions"]);
        Assert.Null(l["alpn_protocols"]);
        Assert.Null(l["hsts_max_age"]);
        Assert.False(l["hsts_preload"]!.GetValue<bool>());
        Assert.Null(l["updated_at"]);

        var id = l["id"]!.GetValue<string>();
        var done = await Client.WaitForStableAsync($"/v2/lbaas/listeners/{id}", "listener");
        Assert.Equal("ACTIVE", done["provisioning_status"]!.GetValue<string>());
        Assert.Equal(SampleKeys, done.AsObject().Select(p => p.Key).ToArray());
        await Client.WaitForLoadBalancerAsync(lbId);
        var lb = await Client.ApiGetAsync($"/v2/lbaas/loadbalancers/{lbId}");
        Assert.Equal(id, lb.Json["loadbalancer"]!["listeners"]![0]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_TerminatedHttps_FillsTlsDefaultsAndAcceptsHsts()
    {
        var lbId = await Client.CreateLoadBalancerAsync("l-tls");
        var response = await Client.ApiPostAsync("/v2/lbaas/listeners", Body(lbId,
            """, "protocol": "TERMINATED_HTTPS", "protocol_port": 443, "default_tls_container_ref": "ref-1", "hsts_max_age": 100, "hsts_preload": true, "insert_headers": {"X-SSL-Client-DN": "true", "X-Forwarded-For": "true"}"""));

        Assert.Equal(HttpStatusCode.Created, response.Status);
        var l = response.Json["listener"]!;
        Assert.Equal(Core.Configuration.ApiSettingsOptions.DefaultCiphers, l["tls_ciphers"]!.GetValue<string>());
        Assert.Equal("""["TLSv1.2","TLSv1.3"]""", l["tls_versions"]!.ToJsonString());
        Assert.Equal("""["h2","http/1.1","http/1.0"]""", l["alpn_protocols"]!.ToJsonString());
        Assert.Equal(100, l["hsts_max_age"]!.GetValue<int>());
        Assert.True(l["hsts_preload"]!.GetValue<bool>());
        Assert.Equal("ref-1", l["default_tls_container_ref"]!.GetValue<string>());
        await Client.WaitForLoadBalancerAsync(lbId);
    }

    public static TheoryData<string, string> InvalidBodies => new()
    {
        { """, "protocol": "FOO", "protocol_port": 80""", "Invalid input for field/attribute protocol. Value: 'FOO'. Value should be one of:" },
        { """, "protocol_port": 80""", "Invalid input for field/attribute protocol. Value: 'None'. Mandatory field missing." },
        { """, "protocol": "HTTP", "protocol_port": 0""", "protocol_port" },
        { """, "protocol": "HTTP", "protocol_port": 65536""", "protocol_port" },
        { """, "protocol": "HTTP", "protocol_port": 80, "connection_limit": -2""", "connection_limit" },
        { """, "protocol": "HTTP", "protocol_port": 80, "timeout_client_data": 2073600001""", "timeout_client_data" },
        { """, "protocol": "HTTP", "protocol_port": 80, "timeout_tcp_inspect": -1""", "timeout_tcp_inspect" },
        { """, "protocol": "HTTP", "protocol_port": 80, "bogus": 1""", "Unknown attribute for argument listener: bogus" },
        { """, "protocol": "HTTP", "protocol_port": 80, "name": 1""", "name" },
        { """, "protocol": "HTTP", "protocol_port": 80, "client_authentication": "SOMETIMES" """, "client_authentication" },
        { """, "protocol": "HTTP", "protocol_port": 80, "default_pool_id": "nope" """, "default_pool_id" },
        { """, "protocol": "HTTP", "protocol_port": 80, "allowed_cidrs": ["10.0.0.0/33"]""", "Invalid input for field/attribute allowed_cidrs" },
        { """, "protocol": "HTTP", "protocol_port": 80, "allowed_cidrs": ["2001:db8::/64"]""", "Validation failure: CIDR 2001:db8::/64 IP version incompatible with all VIPs" },
        { """, "protocol": "HTTP", "protocol_port": 80, "alpn_protocols": ["h3"]""", "alpn_protocols" },
        { """, "protocol": "HTTP", "protocol_port": 80, "insert_headers": {"X-Bogus": "true"}""", "['X-Bogus'] is not a valid option for insert_headers" },
        { """, "protocol": "HTTP", "protocol_port": 80, "insert_headers": {"X-SSL-Client-DN": "true"}""", "['X-SSL-Client-DN'] is not a valid option for HTTP protocol listener." },
        { """, "protocol": "TCP", "protocol_port": 80, "insert_headers": {"X-Forwarded-For": "true"}""", "insert-headers is not a valid option for a TCP protocol listener." },
        { """, "protocol": "HTTP", "protocol_port": 80, "insert_headers": {"X-Forwarded-For": 1}""", "insert_headers" },
        { """, "protocol": "HTTP", "protocol_port": 80, "default_tls_container_ref": "ref" """, "Validation failure: Certificate container references are not allowed on HTTP protocol listeners." },
        { """, "protocol": "UDP", "protocol_port": 80, "sni_container_refs": ["ref"]""", "Validation failure: UDP protocol listener does not support TLS." },
        { """, "protocol": "TERMINATED_HTTPS", "protocol_port": 443""", "Validation failure: An SNI or default certificate container reference must be provided for TERMINATED_HTTPS protocol listeners." },
        { """, "protocol": "TERMINATED_HTTPS", "protocol_port": 443, "default_tls_container_ref": "r", "client_authentication": "MANDATORY" """, "Validation failure: Client authentication setting MANDATORY requires a client CA container reference." },
        { """, "protocol": "TERMINATED_HTTPS", "protocol_port": 443, "default_tls_container_ref": "r", "client_crl_container_ref": "crl" """, "Validation failure: A client authentication CA reference is required to specify a client authentication revocation list." },
        { """, "protocol": "TERMINATED_HTTPS", "protocol_port": 443, "client_ca_tls_container_ref": "ca" """, "Validation failure: An SNI or default certificate container reference must be provided with a client CA container reference." },
        { """, "protocol": "TERMINATED_HTTPS", "protocol_port": 443, "default_tls_container_ref": "r", "tls_versions": []""", "Validation failure: Empty TLS version list." },
        { """, "protocol": "TERMINATED_HTTPS", "protocol_port": 443, "default_tls_container_ref": "r", "tls_versions": ["TLSv9"]""", "Validation failure: Invalid TLS versions: TLSv9" },
        { """, "protocol": "TERMINATED_HTTPS", "protocol_port": 443, "default_tls_container_ref": "r", "alpn_protocols": []""", "Validation failure: Empty ALPN protocol list." },
        { """, "protocol": "TERMINATED_HTTPS", "protocol_port": 443, "default_tls_container_ref": "r", "tls_ciphers": "A B" """, "Validation failure: Invalid characters in cipher string." },
        { """, "protocol": "HTTP", "protocol_port": 80, "hsts_max_age": 10""", "Validation failure: The HSTS feature can only be used for listeners using the TERMINATED_HTTPS protocol." },
        { """, "protocol": "TERMINATED_HTTPS", "protocol_port": 443, "default_tls_container_ref": "r", "hsts_preload": true""", "Validation failure: HSTS configuration options hsts_include_subdomains and hsts_preload only make sense if hsts_max_age is set as well." },
        { """, "protocol": "PROMETHEUS", "protocol_port": 9100, "default_pool_id": "8a2b7c1e-4d3f-4a5b-9c6d-7e8f9a0b1c2d" """, "Protocol PROMETHEUS listeners cannot have child objects." },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Create_Invalid_Returns400(string fields, string fault)
    {
        var lbId = await SharedLoadBalancerAsync();
        var response = await Client.ApiPostAsync("/v2/lbaas/listeners", Body(lbId, fields));
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains(fault, response.Fault, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_WithoutLoadBalancer_Returns400Or404()
    {
        var missing = await Client.ApiPostAsync("/v2/lbaas/listeners", """{"listener": {"protocol": "HTTP", "protocol_port": 80}}""");
        Assert.Equal(HttpStatusCode.BadRequest, missing.Status);
        Assert.Contains("loadbalancer_id", missing.Fault, StringComparison.Ordinal);

        var unknown = await Client.ApiPostAsync("/v2/lbaas/listeners", Body("00000000-1111-2222-3333-444444444444", """, "protocol": "HTTP", "protocol_port": 80"""));
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal("Load Balancer 00000000-1111-2222-3333-444444444444 not found.", unknown.Fault);
    }

    [Fact]
    public async Task Create_DuplicatePortSameL4_Returns409_OtherL4Allowed()
    {
        var lbId = await Client.CreateLoadBalancerAsync("l-dup");
        await Client.CreateListenerAsync(lbId, "HTTP", 80);

        var dup = await Client.ApiPostAsync("/v2/lbaas/listeners", Body(lbId, """, "protocol": "TCP", "protocol_port": 80"""));
        Assert.Equal(HttpStatusCode.Conflict, dup.Status);
        Assert.Equal("Another Listener on this Load Balancer is already using protocol HTTP and protocol_port 80", dup.Fault);

        await Client.CreateListenerAsync(lbId, "UDP", 80);
        var listeners = await Client.ApiGetAsync($"/v2/lbaas/listeners?loadbalancer_id={lbId}");
        Assert.Equal(2, listeners.Json["listeners"]!.AsArray().Count);
    }

    [Fact]
    public async Task Create_WhileLoadBalancerPending_Returns409()
    {
        var lbId = await Client.CreateLoadBalancerAsync("l-immutable");
        await SetLoadBalancerStatusAsync(lbId, "PENDING_UPDATE");
        var response = await Client.ApiPostAsync("/v2/lbaas/listeners", Body(lbId, """, "protocol": "HTTP", "protocol_port": 80"""));
        await SetLoadBalancerStatusAsync(lbId, "ACTIVE");

        Assert.Equal(HttpStatusCode.Conflict, response.Status);
        Assert.Equal($"Load Balancer {lbId} is immutable and cannot be updated.", response.Fault);
        var listeners = await Client.ApiGetAsync($"/v2/lbaas/listeners?loadbalancer_id={lbId}");
        Assert.Empty(listeners.Json["listeners"]!.AsArray());
    }

    [Fact]
    public async Task Create_TwoAtOnce_SecondIsCreatedOrRefused()
    {
        var lbId = await Client.CreateLoadBalancerAsync("l-race");
        var first = await Client.ApiPostAsync("/v2/lbaas/listeners", Body(lbId, """, "protocol": "HTTP", "protocol_port": 80"""));
        var second = await Client.ApiPostAsync("/v2/lbaas/listeners", Body(lbId, """, "protocol": "HTTP", "protocol_port": 81"""));
        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.True(second.Status is HttpStatusCode.Created or HttpStatusCode.Conflict, second.Raw);
        await Client.WaitForLoadBalancerAsync(lbId);

        var listeners = (await Client.ApiGetAsync($"/v2/lbaas/listeners?loadbalancer_id={lbId}")).Json["listeners"]!.AsArray();
        Assert.Equal(second.Status == HttpStatusCode.Created ? 2 : 1, listeners.Count);
        foreach (var l in listeners)
        {
            var stable = await Client.WaitForStableAsync($"/v2/lbaas/listeners/{l!["id"]!.GetValue<string>()}", "listener");
            Assert.Equal("ACTIVE", stable["provisioning_status"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Create_QuotaMet_Returns403()
    {
        var project = "lq-" + Guid.NewGuid().ToString("N")[..8];
        var lbId = await Client.CreateLoadBalancerAsync("l-quota", project: project);
        await fixture.WithDbAsync(async db =>
        {
            var quota = await db.Quotas.AsTracking().FirstOrDefaultAsync(q => q.ProjectId == project);
            if (quota is null)
            {
                db.Quotas.Add(new Quota { ProjectId = project, Listener = 0 });
            }
            else
            {
                quota.Listener = 0;
            }

            await db.SaveChangesAsync();
        });

        var response = await Client.ApiPostAsync("/v2/lbaas/listeners", Body(lbId, """, "protocol": "HTTP", "protocol_port": 80"""));
        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
        Assert.Equal("Quota has been met for resources: Listener", response.Fault);
    }

    [Fact]
    public async Task Create_AllowedCidrs_AreNormalised()
    {
        var lbId = await Client.CreateLoadBalancerAsync("l-cidr");
        var response = await Client.ApiPostAsync("/v2/lbaas/listeners", Body(lbId,
            """, "protocol": "TCP", "protocol_port": 22, "allowed_cidrs": ["192.168.1.5/24", "10.0.0.1", "192.168.1.0/24"]"""));
        Assert.Equal(HttpStatusCode.Created, response.Status);
        Assert.Equal("""["192.168.1.0/24","10.0.0.1/32"]""", response.Json["listener"]!["allowed_cidrs"]!.ToJsonString());
        await Client.WaitForLoadBalancerAsync(lbId);

        var id = response.Json["listener"]!["id"]!.GetValue<string>();
        var cleared = await Client.ApiPutAsync($"/v2/lbaas/listeners/{id}", """{"listener": {"allowed_cidrs": []}}""");
        Assert.Equal(HttpStatusCode.OK, cleared.Status);
        Assert.Null(cleared.Json["listener"]!["allowed_cidrs"]);
        await Client.WaitForLoadBalancerAsync(lbId);
    }

    [Fact]
    public async Task DefaultPool_MustExistOnTheLoadBalancerAndBeCompatible()
    {
        var lbId = await Client.CreateLoadBalancerAsync("l-pool");
        var tcpPool = await Client.CreatePoolAsync(lbId, protocol: "TCP");
        var httpPool = await Client.CreatePoolAsync(lbId, protocol: "HTTP");

        var incompatible = await Client.ApiPostAsync("/v2/lbaas/listeners", Body(lbId, $$$""", "protocol": "HTTP", "protocol_port": 80, "default_pool_id": "{{{tcpPool}}}" """));
        Assert.Equal(HttpStatusCode.BadRequest, incompatible.Status);
        Assert.Equal("Validation failure: The pool protocol 'TCP' is invalid while the listener protocol is 'HTTP'.", incompatible.Fault);

        var missing = await Client.ApiPostAsync("/v2/lbaas/listeners", Body(lbId, """, "protocol": "HTTP", "protocol_port": 80, "default_pool_id": "00000000-1111-2222-3333-444444444444" """));
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal("Pool 00000000-1111-2222-3333-444444444444 not found.", missing.Fault);

        var ok = await Client.ApiPostAsync("/v2/lbaas/listeners", Body(lbId, $$$""", "protocol": "HTTP", "protocol_port": 80, "default_pool_id": "{{{httpPool}}}" """));
        Assert.Equal(HttpStatusCode.Created, ok.Status);
        Assert.Equal(httpPool, ok.Json["listener"]!["default_pool_id"]!.GetValue<string>());
        await Client.WaitForLoadBalancerAsync(lbId);

        var id = ok.Json["listener"]!["id"]!.GetValue<string>();
        var pool = await Client.ApiGetAsync($"/v2/lbaas/pools/{httpPool}");
        Assert.Equal(id, pool.Json["pool"]!["listeners"]![0]!["id"]!.GetValue<string>());

        var unset = await Client.ApiPutAsync($"/v2/lbaas/listeners/{id}", """{"listener": {"default_pool_id": null}}""");
        Assert.Equal(HttpStatusCode.OK, unset.Status);
        Assert.Null(unset.Json["listener"]!["default_pool_id"]);
        await Client.WaitForLoadBalancerAsync(lbId);

        var badPut = await Client.ApiPutAsync($"/v2/lbaas/listeners/{id}", $$$"""{"listener": {"default_pool_id": "{{{tcpPool}}}"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, badPut.Status);
    }

    [Fact]
    public async Task Update_Returns200PendingUpdate_NullsRestoreDefaults_ThenActive()
    {
        var lbId = await Client.CreateLoadBalancerAsync("l-update");
        var id = await Client.CreateListenerAsync(lbId, "HTTP", 80, """, "connection_limit": 10, "timeout_client_data": 7""");

        var response = await Client.ApiPutAsync($"/v2/lbaas/listeners/{id}",
            """{"listener": {"name": "renamed", "connection_limit": null, "timeout_client_data": null, "tags": ["a"], "insert_headers": {"X-Forwarded-For": "true"}}}""");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var l = response.Json["listener"]!;
        Assert.Equal(SampleKeys, l.AsObject().Select(p => p.Key).ToArray());
        Assert.Equal("PENDING_UPDATE", l["provisioning_status"]!.GetValue<string>());
        Assert.Equal("renamed", l["name"]!.GetValue<string>());
        Assert.Equal(-1, l["connection_limit"]!.GetValue<int>());
        Assert.Equal(50000, l["timeout_client_data"]!.GetValue<int>());
        Assert.Equal("""{"X-Forwarded-For":"true"}""", l["insert_headers"]!.ToJsonString());
        var lb = await Client.ApiGetAsync($"/v2/lbaas/loadbalancers/{lbId}");
        Assert.Contains(lb.Json["loadbalancer"]!["provisioning_status"]!.GetValue<string>(), new[] { "PENDING_UPDATE", "ACTIVE" });

        var done = await Client.WaitForStableAsync($"/v2/lbaas/listeners/{id}", "listener");
        Assert.Equal("ACTIVE", done["provisioning_status"]!.GetValue<string>());
        Assert.Equal("renamed", done["name"]!.GetValue<string>());
        await Client.WaitForLoadBalancerAsync(lbId);

        var createOnly = await Client.ApiPutAsync($"/v2/lbaas/listeners/{id}", """{"listener": {"protocol_port": 81}}""");
        Assert.Equal(HttpStatusCode.BadRequest, createOnly.Status);
        Assert.Contains("protocol_port", createOnly.Fault, StringComparison.Ordinal);

        var hsts = await Client.ApiPutAsync($"/v2/lbaas/listeners/{id}", """{"listener": {"hsts_max_age": 5}}""");
        Assert.Equal(HttpStatusCode.BadRequest, hsts.Status);

        await SetLoadBalancerStatusAsync(lbId, "PENDING_UPDATE");
        var locked = await Client.ApiPutAsync($"/v2/lbaas/listeners/{id}", """{"listener": {"name": "x"}}""");
        await SetLoadBalancerStatusAsync(lbId, "ACTIVE");
        Assert.Equal(HttpStatusCode.Conflict, locked.Status);
        Assert.Equal($"Load Balancer {lbId} is immutable and cannot be updated.", locked.Fault);
    }

    [Fact]
    public async Task Delete_Returns204_ThenGone()
    {
        var lbId = await Client.CreateLoadBalancerAsync("l-delete");
        var id = await Client.CreateListenerAsync(lbId);
        var response = await Client.ApiDeleteAsync($"/v2/lbaas/listeners/{id}");
        Assert.Equal(HttpStatusCode.NoContent, response.Status);

        var after = await Client.WaitForStableAsync($"/v2/lbaas/listeners/{id}", "listener");
        Assert.Equal($"Listener {id} not found.", after["faultstring"]!.GetValue<string>());
        await Client.WaitForLoadBalancerAsync(lbId);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.ApiDeleteAsync($"/v2/lbaas/listeners/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.ApiGetAsync("/v2/lbaas/listeners/not-a-uuid")).Status);
    }

    [Fact]
    public async Task Stats_AreZeroForANewListener()
    {
        var lbId = await SharedLoadBalancerAsync();
        var id = await Client.CreateListenerAsync(lbId, "TCP", 9000 + Random.Shared.Next(1000));
        var stats = await Client.ApiGetAsync($"/v2/lbaas/listeners/{id}/stats");
        Assert.Equal(HttpStatusCode.OK, stats.Status);
        Assert.Equal("""{"stats":{"bytes_in":0,"bytes_out":0,"active_connections":0,"total_connections":0,"request_errors":0}}""", stats.Json.ToJsonString());
        Assert.Equal(HttpStatusCode.NotFound, (await Client.ApiGetAsync("/v2/lbaas/listeners/00000000-1111-2222-3333-444444444444/stats")).Status);
    }

    [Fact]
    public async Task List_FiltersSortsPaginatesAndSelectsFields()
    {
        var lbId = await Client.CreateLoadBalancerAsync("l-list");
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await Client.CreateListenerAsync(lbId, "HTTP", 8080 + i, i == 1 ? """, "name": "one", "tags": ["blue", "big"]""" : """, "tags": ["red"]"""));
        }

        var page1 = await Client.ApiGetAsync($"/v2/lbaas/listeners?loadbalancer_id={lbId}&limit=2&sort=protocol_port:desc");
        Assert.Equal([8082, 8081], page1.Json["listeners"]!.AsArray().Select(n => n!["protocol_port"]!.GetValue<int>()).ToArray());
        var next = page1.Json["listeners_links"]!.AsArray().Single()!;
        Assert.Equal("next", next["rel"]!.GetValue<string>());
        var page2 = await Client.ApiGetAsync(new Uri(next["href"]!.GetValue<string>()).PathAndQuery + $"&loadbalancer_id={lbId}");
        Assert.Equal([8080], page2.Json["listeners"]!.AsArray().Select(n => n!["protocol_port"]!.GetValue<int>()).ToArray());

        var tagged = await Client.ApiGetAsync($"/v2/lbaas/listeners?loadbalancer_id={lbId}&tags=blue&fields=id&fields=name");
        var only = tagged.Json["listeners"]!.AsArray().Single()!.AsObject();
        Assert.Equal(["id", "name"], only.Select(p => p.Key).ToArray());
        Assert.Equal(ids[1], only["id"]!.GetValue<string>());

        var byPort = await Client.ApiGetAsync($"/v2/lbaas/listeners?loadbalancer_id={lbId}&protocol_port=8080&admin_state_up=true");
        Assert.Equal(ids[0], byPort.Json["listeners"]!.AsArray().Single()!["id"]!.GetValue<string>());
        var notRed = await Client.ApiGetAsync($"/v2/lbaas/listeners?loadbalancer_id={lbId}&not-tags-any=red");
        Assert.Single(notRed.Json["listeners"]!.AsArray());

        var one = await Client.ApiGetAsync($"/v2/lbaas/listeners/{ids[1]}?fields=name&fields=loadbalancers");
        Assert.Equal(["name", "loadbalancers"], one.Json["listener"]!.AsObject().Select(p => p.Key).ToArray());

        Assert.Equal(HttpStatusCode.BadRequest, (await Client.ApiGetAsync("/v2/lbaas/listeners?sort=insert_headers:asc")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.ApiGetAsync("/v2/lbaas/listeners?bogus=1")).Status);
    }

    private static readonly ConditionalWeakTable<OctaviaFixture, Task<string>> SharedLoadBalancers = [];

    /// <summary>One load balancer per fixture for the tests that only need a parent (validation failures change nothing).</summary>
    private Task<string> SharedLoadBalancerAsync() => SharedLoadBalancers.GetValue(fixture, _ => Client.CreateLoadBalancerAsync("l-shared"));

    private Task SetLoadBalancerStatusAsync(string id, string status) =>
        fixture.WithDbAsync(db => db.LoadBalancers.Where(lb => lb.Id == id).ExecuteUpdateAsync(s => s.SetProperty(lb => lb.ProvisioningStatus, status)));
}

public sealed class ListenerSqliteTests(SqliteFixture fixture) : ListenerTests(fixture), IClassFixture<SqliteFixture>;

public sealed class ListenerPostgresTests(PostgresFixture fixture) : ListenerTests(fixture), IClassFixture<PostgresFixture>;

/// <summary>The deployment switches of reference/api.md §7.2, on a fixture that turns them off.</summary>
public sealed class ListenerSwitchesTests(ListenerSwitchesTests.RestrictedFixture fixture) : IClassFixture<ListenerSwitchesTests.RestrictedFixture>
{
    public sealed class RestrictedFixture : OctaviaFixture
    {
        protected override bool UsePostgres => false;

        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["api_settings:allow_tls_terminated_listeners"] = "false",
            ["api_settings:allow_prometheus_listeners"] = "false",
            ["api_settings:tls_cipher_prohibit_list"] = "DES-CBC3-SHA:RC4-MD5",
            ["api_settings:minimum_tls_version"] = "TLSv1.2",
        };
    }

    [Theory]
    [InlineData("""{"protocol": "TERMINATED_HTTPS", "protocol_port": 443, "default_tls_container_ref": "r"}""", "The selected protocol is not allowed in this deployment: TERMINATED_HTTPS")]
    [InlineData("""{"protocol": "PROMETHEUS", "protocol_port": 9100}""", "The selected protocol is not allowed in this deployment: PROMETHEUS")]
    [InlineData("""{"protocol": "PROMETHEUS", "protocol_port": 9100, "default_tls_container_ref": "r"}""", "The selected protocol is not allowed in this deployment: PROMETHEUS with TLS")]
    [InlineData("""{"protocol": "HTTP", "protocol_port": 80, "tls_ciphers": "AES:RC4-MD5"}""", "Validation failure: The following ciphers have been prohibited by an administrator: RC4-MD5")]
    [InlineData("""{"protocol": "HTTP", "protocol_port": 80, "tls_versions": ["TLSv1.1", "TLSv1.3"]}""", "Validation failure: Requested TLS versions are less than the minimum: TLSv1.1 < TLSv1.2")]
    public async Task Create_DisabledOrProhibited_Returns400(string listener, string fault)
    {
        var lbId = await fixture.Client.CreateLoadBalancerAsync("switches");
        var body = JsonNode.Parse(listener)!.AsObject();
        body["loadbalancer_id"] = lbId;
        var response = await fixture.Client.ApiPostAsync("/v2/lbaas/listeners", new JsonObject { ["listener"] = body }.ToJsonString());
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(fault, response.Fault);
    }
}
