using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Octavia.Api.Tests.Infrastructure;
using Octavia.Core.Model;

namespace Octavia.Api.Tests.Resources;

/// <summary>Pool CRUD, session persistence, TLS, 409s and list features (reference/api.md §8), run on each database.</summary>
public abstract class PoolTests(OctaviaFixture fixture)
{
    /// <summary>reference/api-samples.txt [26]; <c>healthmonitor_id</c> appears after <c>updated_at</c> only when the pool has a monitor.</summary>
    private static readonly string[] SampleKeys =
    [
        "id", "name", "description", "provisioning_status", "operating_status", "admin_state_up", "protocol", "lb_algorithm",
        "session_persistence", "project_id", "loadbalancers", "listeners", "created_at", "updated_at", "members", "tags",
        "tls_container_ref", "ca_tls_container_ref", "crl_container_ref", "tls_enabled", "tls_ciphers", "tls_versions",
        "alpn_protocols", "tenant_id",
    ];

    private static readonly ConditionalWeakTable<OctaviaFixture, Task<string>> SharedLoadBalancers = [];

    private HttpClient Client => fixture.Client;

    private static string Body(string lbId, string fields) => "{\"pool\": {\"loadbalancer_id\": \"" + lbId + "\"" + fields + "}}";

    [Fact]
    public async Task Create_OnListener_MatchesSampleAndBecomesDefaultPool()
    {
        var lbId = await Client.CreateLoadBalancerAsync("p-create", project: "p-pool");
        var listenerId = await Client.CreateListenerAsync(lbId);
        var response = await Client.ApiPostAsync("/v2/lbaas/pools",
            $$$"""{"pool": {"name": "pool1", "lb_algorithm": "ROUND_ROBIN", "listener_id": "{{{listenerId}}}", "protocol": "HTTP"}}""");

        Assert.Equal(HttpStatusCode.Created, response.Status);
        var p = response.Json["pool"]!.AsObject();
        Assert.Equal(SampleKeys, p.Select(x => x.Key).ToArray());
        Assert.Equal("PENDING_CREATE", p["provisioning_status"]!.GetValue<string>());
        Assert.Equal("OFFLINE", p["operating_status"]!.GetValue<string>());
        Assert.Equal("p-pool", p["tenant_id"]!.GetValue<string>());
        Assert.Null(p["session_persistence"]);
        Assert.False(p["tls_enabled"]!.GetValue<bool>());
        Assert.Null(p["tls_ciphers"]);
        Assert.Equal(lbId, p["loadbalancers"]![0]!["id"]!.GetValue<string>());
        Assert.Equal(listenerId, p["listeners"]![0]!["id"]!.GetValue<string>());
        Assert.Equal("[]", p["members"]!.ToJsonString());

        var id = p["id"]!.GetValue<string>();
        var done = await Client.WaitForStableAsync($"/v2/lbaas/pools/{id}", "pool");
        Assert.Equal("ACTIVE", done["provisioning_status"]!.GetValue<string>());
        Assert.Equal(SampleKeys, done.AsObject().Select(x => x.Key).ToArray());
        await Client.WaitForLoadBalancerAsync(lbId);

        var listener = await Client.WaitForStableAsync($"/v2/lbaas/listeners/{listenerId}", "listener");
        Assert.Equal(id, listener["default_pool_id"]!.GetValue<string>());
        Assert.Equal("ACTIVE", listener["provisioning_status"]!.GetValue<string>());

        var second = await Client.ApiPostAsync("/v2/lbaas/pools",
            $$$"""{"pool": {"lb_algorithm": "ROUND_ROBIN", "listener_id": "{{{listenerId}}}", "protocol": "HTTP"}}""");
        Assert.Equal(HttpStatusCode.Conflict, second.Status);
        Assert.Equal("This listener already has a default pool", second.Fault);

        var lb = await Client.ApiGetAsync($"/v2/lbaas/loadbalancers/{lbId}");
        Assert.Equal(id, lb.Json["loadbalancer"]!["pools"]![0]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_OnListener_ChecksProtocols()
    {
        var lbId = await Client.CreateLoadBalancerAsync("p-proto");
        var udp = await Client.CreateListenerAsync(lbId, "UDP", 53);
        var prometheus = await Client.CreateListenerAsync(lbId, "PROMETHEUS", 9100);

        var bad = await Client.ApiPostAsync("/v2/lbaas/pools", $$$"""{"pool": {"listener_id": "{{{udp}}}", "protocol": "TCP", "lb_algorithm": "ROUND_ROBIN"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Equal("Validation failure: The pool protocol 'TCP' is invalid while the listener protocol is 'UDP'.", bad.Fault);

        var prom = await Client.ApiPostAsync("/v2/lbaas/pools", $$$"""{"pool": {"listener_id": "{{{prometheus}}}", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, prom.Status);
        Assert.Equal("Protocol PROMETHEUS listeners cannot have child objects.", prom.Fault);

        var missing = await Client.ApiPostAsync("/v2/lbaas/pools", """{"pool": {"listener_id": "00000000-1111-2222-3333-444444444444", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"}}""");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal("Listener 00000000-1111-2222-3333-444444444444 not found.", missing.Fault);

        await Client.CreatePoolAsync(lbId, udp, "UDP", "SOURCE_IP_PORT");
    }

    public static TheoryData<string, string> InvalidBodies => new()
    {
        { """, "protocol": "HTTP" """, "Invalid input for field/attribute lb_algorithm. Value: 'None'. Mandatory field missing." },
        { """, "lb_algorithm": "ROUND_ROBIN" """, "Invalid input for field/attribute protocol. Value: 'None'. Mandatory field missing." },
        { """, "protocol": "QUIC", "lb_algorithm": "ROUND_ROBIN" """, "Invalid input for field/attribute protocol. Value: 'QUIC'." },
        { """, "protocol": "HTTP", "lb_algorithm": "RANDOM" """, "Invalid input for field/attribute lb_algorithm. Value: 'RANDOM'." },
        { """, "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "listener_id": "x" """, "listener_id" },
        { """, "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "healthmonitor": {}""", "Unknown attribute for argument pool: healthmonitor" },
        { """, "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "session_persistence": {}""", "Invalid input for field/attribute type. Value: 'None'. Mandatory field missing." },
        { """, "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "session_persistence": {"type": "BOGUS"}""", "Invalid input for field/attribute type. Value: 'BOGUS'." },
        { """, "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "session_persistence": {"type": "APP_COOKIE"}""", "Validation failure: Field \"cookie_name\" must be specified when using the \"APP_COOKIE\" session persistence type." },
        { """, "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "session_persistence": {"type": "HTTP_COOKIE", "cookie_name": "c"}""", "Validation failure: Field \"cookie_name\" can only be specified with session persistence of type \"APP_COOKIE\"." },
        { """, "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "session_persistence": {"type": "APP_COOKIE", "cookie_name": "a b"}""", "Invalid input for field/attribute cookie_name" },
        { """, "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "session_persistence": {"type": "APP_COOKIE", "cookie_name": "a=b"}""", "Validation failure: Supplied \"cookie_name\" is invalid." },
        { """, "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "session_persistence": {"type": "SOURCE_IP", "persistence_timeout": 10}""", "Validation failure: persistence_timeout and persistence_granularity is only for UDP and SCTP protocol pools." },
        { """, "protocol": "UDP", "lb_algorithm": "ROUND_ROBIN", "session_persistence": {"type": "HTTP_COOKIE"}""", "Validation failure: Session persistence of type HTTP_COOKIE is not supported for UDP/SCTP protocol pools." },
        { """, "protocol": "SCTP", "lb_algorithm": "ROUND_ROBIN", "session_persistence": {"type": "APP_COOKIE", "cookie_name": "c"}""", "Validation failure: Cookie names are not supported for UDP/SCTP pools." },
        { """, "protocol": "UDP", "lb_algorithm": "ROUND_ROBIN", "session_persistence": {"type": "SOURCE_IP", "persistence_granularity": "nope"}""", "persistence_granularity" },
        { """, "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "crl_container_ref": "crl" """, "Validation failure: A CA certificate reference is required to specify a revocation list." },
        { """, "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "tls_enabled": true, "tls_versions": []""", "Validation failure: Empty TLS version list." },
        { """, "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "tls_enabled": true, "alpn_protocols": ["spdy"]""", "alpn_protocols" },
        { """, "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "tls_ciphers": "A;B" """, "Validation failure: Invalid characters in cipher string." },
        { """, "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "tls_enabled": "maybe" """, "tls_enabled" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Create_Invalid_Returns400(string fields, string fault)
    {
        var lbId = await SharedLoadBalancerAsync();
        var response = await Client.ApiPostAsync("/v2/lbaas/pools", Body(lbId, fields));
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains(fault, response.Fault, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_WithoutParent_Returns400()
    {
        var response = await Client.ApiPostAsync("/v2/lbaas/pools", """{"pool": {"protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("Validation failure: Must provide at least one of: loadbalancer_id, listener_id", response.Fault);
    }

    [Fact]
    public async Task Create_UdpSourceIp_KeepsTimeoutAndGranularity()
    {
        var lbId = await SharedLoadBalancerAsync();
        var response = await Client.ApiPostAsync("/v2/lbaas/pools", Body(lbId,
            """, "protocol": "UDP", "lb_algorithm": "SOURCE_IP_PORT", "session_persistence": {"type": "SOURCE_IP", "persistence_timeout": 360, "persistence_granularity": "255.255.255.0"}"""));
        Assert.Equal(HttpStatusCode.Created, response.Status);
        Assert.Equal("""{"type":"SOURCE_IP","cookie_name":null,"persistence_timeout":360,"persistence_granularity":"255.255.255.0"}""",
            response.Json["pool"]!["session_persistence"]!.ToJsonString());
        Assert.Equal("SOURCE_IP_PORT", response.Json["pool"]!["lb_algorithm"]!.GetValue<string>());
        await Client.WaitForLoadBalancerAsync(lbId);
    }

    [Fact]
    public async Task Create_TlsEnabled_FillsDefaults()
    {
        var lbId = await SharedLoadBalancerAsync();
        var response = await Client.ApiPostAsync("/v2/lbaas/pools", Body(lbId,
            """, "protocol": "HTTPS", "lb_algorithm": "LEAST_CONNECTIONS", "tls_enabled": true, "ca_tls_container_ref": "ca", "crl_container_ref": "crl" """));
        Assert.Equal(HttpStatusCode.Created, response.Status);
        var p = response.Json["pool"]!;
        Assert.Equal(Core.Configuration.ApiSettingsOptions.DefaultCiphers, p["tls_ciphers"]!.GetValue<string>());
        Assert.Equal("""["TLSv1.2","TLSv1.3"]""", p["tls_versions"]!.ToJsonString());
        Assert.Equal("""["h2","http/1.1","http/1.0"]""", p["alpn_protocols"]!.ToJsonString());
        await Client.WaitForLoadBalancerAsync(lbId);

        var id = p["id"]!.GetValue<string>();
        var removeCa = await Client.ApiPutAsync($"/v2/lbaas/pools/{id}", """{"pool": {"ca_tls_container_ref": null}}""");
        Assert.Equal(HttpStatusCode.BadRequest, removeCa.Status);
        Assert.Equal("Validation failure: A CA reference cannot be removed when a certificate revocation list is present.", removeCa.Fault);
    }

    [Fact]
    public async Task Update_SessionPersistence_KeepsTypeAndRemoves()
    {
        var lbId = await Client.CreateLoadBalancerAsync("p-sp");
        var id = await Client.CreatePoolAsync(lbId, extra: """, "session_persistence": {"type": "APP_COOKIE", "cookie_name": "a"}""");

        var rename = await Client.ApiPutAsync($"/v2/lbaas/pools/{id}", """{"pool": {"session_persistence": {"cookie_name": "b"}, "name": "n", "lb_algorithm": "SOURCE_IP"}}""");
        Assert.Equal(HttpStatusCode.OK, rename.Status);
        var p = rename.Json["pool"]!;
        Assert.Equal(SampleKeys, p.AsObject().Select(x => x.Key).ToArray());
        Assert.Equal("PENDING_UPDATE", p["provisioning_status"]!.GetValue<string>());
        Assert.Equal("""{"type":"APP_COOKIE","cookie_name":"b","persistence_timeout":null,"persistence_granularity":null}""", p["session_persistence"]!.ToJsonString());
        Assert.Equal("SOURCE_IP", p["lb_algorithm"]!.GetValue<string>());
        var done = await Client.WaitForStableAsync($"/v2/lbaas/pools/{id}", "pool");
        Assert.Equal("ACTIVE", done["provisioning_status"]!.GetValue<string>());
        await Client.WaitForLoadBalancerAsync(lbId);

        var switchType = await Client.ApiPutAsync($"/v2/lbaas/pools/{id}", """{"pool": {"session_persistence": {"type": "HTTP_COOKIE"}}}""");
        Assert.Equal(HttpStatusCode.OK, switchType.Status);
        Assert.Equal("HTTP_COOKIE", switchType.Json["pool"]!["session_persistence"]!["type"]!.GetValue<string>());
        await Client.WaitForLoadBalancerAsync(lbId);

        var empty = await Client.ApiPutAsync($"/v2/lbaas/pools/{id}", """{"pool": {"session_persistence": {}}}""");
        Assert.Null(empty.Json["pool"]!["session_persistence"]);
        await Client.WaitForLoadBalancerAsync(lbId);

        var set = await Client.ApiPutAsync($"/v2/lbaas/pools/{id}", """{"pool": {"session_persistence": {"type": "SOURCE_IP"}}}""");
        Assert.Equal("SOURCE_IP", set.Json["pool"]!["session_persistence"]!["type"]!.GetValue<string>());
        await Client.WaitForLoadBalancerAsync(lbId);

        var removed = await Client.ApiPutAsync($"/v2/lbaas/pools/{id}", """{"pool": {"session_persistence": null}}""");
        Assert.Null(removed.Json["pool"]!["session_persistence"]);
        await Client.WaitForLoadBalancerAsync(lbId);

        var noType = await Client.ApiPutAsync($"/v2/lbaas/pools/{id}", """{"pool": {"session_persistence": {"cookie_name": "x"}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, noType.Status);
        var nullAlgorithm = await Client.ApiPutAsync($"/v2/lbaas/pools/{id}", """{"pool": {"lb_algorithm": null}}""");
        Assert.Equal(HttpStatusCode.BadRequest, nullAlgorithm.Status);
        var createOnly = await Client.ApiPutAsync($"/v2/lbaas/pools/{id}", """{"pool": {"protocol": "TCP"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, createOnly.Status);
        Assert.Contains("protocol", createOnly.Fault, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_MarksListenersAndLoadBalancerPending()
    {
        var lbId = await Client.CreateLoadBalancerAsync("p-update");
        var listenerId = await Client.CreateListenerAsync(lbId);
        var id = await Client.CreatePoolAsync(lbId, listenerId);

        var response = await Client.ApiPutAsync($"/v2/lbaas/pools/{id}", """{"pool": {"description": "d"}}""");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("d", response.Json["pool"]!["description"]!.GetValue<string>());
        Assert.Equal(listenerId, response.Json["pool"]!["listeners"]![0]!["id"]!.GetValue<string>());
        await Client.WaitForLoadBalancerAsync(lbId);
        var listener = await Client.WaitForStableAsync($"/v2/lbaas/listeners/{listenerId}", "listener");
        Assert.Equal("ACTIVE", listener["provisioning_status"]!.GetValue<string>());
        Assert.Equal("ACTIVE", (await Client.WaitForStableAsync($"/v2/lbaas/pools/{id}", "pool"))["provisioning_status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Mutations_WhileLoadBalancerPending_Return409()
    {
        var lbId = await Client.CreateLoadBalancerAsync("p-immutable");
        var id = await Client.CreatePoolAsync(lbId);
        await SetLoadBalancerStatusAsync(lbId, "PENDING_UPDATE");
        var create = await Client.ApiPostAsync("/v2/lbaas/pools", Body(lbId, """, "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN" """));
        var update = await Client.ApiPutAsync($"/v2/lbaas/pools/{id}", """{"pool": {"name": "x"}}""");
        var delete = await Client.ApiDeleteAsync($"/v2/lbaas/pools/{id}");
        await SetLoadBalancerStatusAsync(lbId, "ACTIVE");

        foreach (var response in new[] { create, update, delete })
        {
            Assert.Equal(HttpStatusCode.Conflict, response.Status);
            Assert.Equal($"Load Balancer {lbId} is immutable and cannot be updated.", response.Fault);
        }

        var pool = await Client.ApiGetAsync($"/v2/lbaas/pools/{id}");
        Assert.Equal("ACTIVE", pool.Json["pool"]!["provisioning_status"]!.GetValue<string>());
        Assert.Equal("", pool.Json["pool"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_QuotaMet_Returns403()
    {
        var project = "pq-" + Guid.NewGuid().ToString("N")[..8];
        var lbId = await Client.CreateLoadBalancerAsync("p-quota", project: project);
        await fixture.WithDbAsync(async db =>
        {
            var quota = await db.Quotas.AsTracking().FirstOrDefaultAsync(q => q.ProjectId == project);
            if (quota is null)
            {
                db.Quotas.Add(new Quota { ProjectId = project, Pool = 0 });
            }
            else
            {
                quota.Pool = 0;
            }

            await db.SaveChangesAsync();
        });

        var response = await Client.ApiPostAsync("/v2/lbaas/pools", Body(lbId, """, "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN" """));
        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
        Assert.Equal("Quota has been met for resources: Pool", response.Fault);
    }

    [Fact]
    public async Task Delete_Returns204_ClearsDefaultPoolOfListener()
    {
        var lbId = await Client.CreateLoadBalancerAsync("p-delete");
        var listenerId = await Client.CreateListenerAsync(lbId);
        var id = await Client.CreatePoolAsync(lbId, listenerId);

        var response = await Client.ApiDeleteAsync($"/v2/lbaas/pools/{id}");
        Assert.Equal(HttpStatusCode.NoContent, response.Status);
        var after = await Client.WaitForStableAsync($"/v2/lbaas/pools/{id}", "pool");
        Assert.Equal($"Pool {id} not found.", after["faultstring"]!.GetValue<string>());
        await Client.WaitForLoadBalancerAsync(lbId);

        var listener = await Client.WaitForStableAsync($"/v2/lbaas/listeners/{listenerId}", "listener");
        Assert.Null(listener["default_pool_id"]);
        Assert.Equal("ACTIVE", listener["provisioning_status"]!.GetValue<string>());
        Assert.Equal("Pool not-a-uuid not found.", (await Client.ApiGetAsync("/v2/lbaas/pools/not-a-uuid")).Fault);
    }

    [Fact]
    public async Task List_FiltersSortsPaginatesAndSelectsFields()
    {
        var lbId = await Client.CreateLoadBalancerAsync("p-list");
        var ids = new List<string>();
        string[] protocols = ["HTTP", "TCP", "UDP"];
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await Client.CreatePoolAsync(lbId, protocol: protocols[i], extra: $$$""", "name": "pool{{{i}}}", "tags": ["{{{(i == 1 ? "blue" : "red")}}}"]"""));
        }

        var page1 = await Client.ApiGetAsync($"/v2/lbaas/pools?loadbalancer_id={lbId}&limit=2&sort=name:desc");
        Assert.Equal(["pool2", "pool1"], page1.Json["pools"]!.AsArray().Select(n => n!["name"]!.GetValue<string>()).ToArray());
        var next = page1.Json["pools_links"]!.AsArray().Single()!;
        var page2 = await Client.ApiGetAsync(new Uri(next["href"]!.GetValue<string>()).PathAndQuery + $"&loadbalancer_id={lbId}");
        Assert.Equal(["pool0"], page2.Json["pools"]!.AsArray().Select(n => n!["name"]!.GetValue<string>()).ToArray());
        Assert.Contains(page2.Json["pools_links"]!.AsArray(), l => l!["rel"]!.GetValue<string>() == "previous");

        var tcp = await Client.ApiGetAsync($"/v2/lbaas/pools?loadbalancer_id={lbId}&protocol=TCP&fields=id&fields=protocol");
        var only = tcp.Json["pools"]!.AsArray().Single()!.AsObject();
        Assert.Equal(["id", "protocol"], only.Select(p => p.Key).ToArray());
        Assert.Equal(ids[1], only["id"]!.GetValue<string>());

        var blue = await Client.ApiGetAsync($"/v2/lbaas/pools?loadbalancer_id={lbId}&tags-any=blue");
        Assert.Equal(ids[1], blue.Json["pools"]!.AsArray().Single()!["id"]!.GetValue<string>());
        var notRed = await Client.ApiGetAsync($"/v2/lbaas/pools?loadbalancer_id={lbId}&not-tags=red");
        Assert.Single(notRed.Json["pools"]!.AsArray());

        Assert.Equal(HttpStatusCode.BadRequest, (await Client.ApiGetAsync("/v2/lbaas/pools?sort=session_persistence")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.ApiGetAsync("/v2/lbaas/pools?healthmonitor_id=x")).Status);
    }

    /// <summary>One load balancer per fixture for the tests that only need a parent.</summary>
    private Task<string> SharedLoadBalancerAsync() => SharedLoadBalancers.GetValue(fixture, _ => Client.CreateLoadBalancerAsync("p-shared"));

    private Task SetLoadBalancerStatusAsync(string id, string status) =>
        fixture.WithDbAsync(db => db.LoadBalancers.Where(lb => lb.Id == id).ExecuteUpdateAsync(s => s.SetProperty(lb => lb.ProvisioningStatus, status)));
}

public sealed class PoolSqliteTests(SqliteFixture fixture) : PoolTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PoolPostgresTests(PostgresFixture fixture) : PoolTests(fixture), IClassFixture<PostgresFixture>;
