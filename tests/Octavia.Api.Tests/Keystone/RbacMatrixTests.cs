using System.Net;
using System.Text;
using Octavia.Api.Tests.Infrastructure;

namespace Octavia.Api.Tests.Keystone;

/// <summary>
/// Every endpoint × every role of upstream's policy (reference/api.md §15, controller.md §9), for objects of the
/// caller's own project and of another, under the built-in policy (deprecated defaults, and <c>enforce_new_defaults</c>)
/// and under Octavia 11's (<c>etc/policies/octavia-11.yaml</c>). The
/// expected answers come from a table of what each role may do, written from the reference, not from the policy code.
/// </summary>
[Collection(KeystoneCollection.Name)]
public sealed class RbacMatrixTests(KeystoneFixture fixture)
{
    [Flags]
    private enum Caps
    {
        None = 0,
        ReadOwn = 1,
        ReadAll = 2,
        WriteOwn = 4,
        WriteAll = 8,
        Admin = 16,
        QuotaReadOwn = 32,
        QuotaReadAll = 64,
        QuotaWrite = 128,
        All = ReadOwn | ReadAll | WriteOwn | WriteAll | Admin | QuotaReadOwn | QuotaReadAll | QuotaWrite,
    }

    /// <summary>controller.md §9.2, deprecated rules honoured: the new roles work too ("new or deprecated").</summary>
    private static readonly Dictionary<string, Caps> Deprecated = new()
    {
        ["load-balancer_observer"] = Caps.ReadOwn | Caps.QuotaReadOwn,
        ["load-balancer_global_observer"] = Caps.ReadOwn | Caps.ReadAll | Caps.QuotaReadOwn | Caps.QuotaReadAll,
        ["load-balancer_member"] = Caps.ReadOwn | Caps.WriteOwn | Caps.QuotaReadOwn,
        ["load-balancer_quota_admin"] = Caps.QuotaReadOwn | Caps.QuotaReadAll | Caps.QuotaWrite,
        ["load-balancer_admin"] = Caps.All,
        ["admin"] = Caps.All,
        ["reader"] = Caps.ReadOwn | Caps.QuotaReadOwn,
        ["member"] = Caps.ReadOwn | Caps.WriteOwn | Caps.QuotaReadOwn,
    };

    /// <summary>controller.md §9.2 with <c>enforce_new_defaults</c>: the <c>load-balancer_*</c> roles give nothing.</summary>
    private static readonly Dictionary<string, Caps> NewDefaults = new()
    {
        ["load-balancer_observer"] = Caps.None,
        ["load-balancer_global_observer"] = Caps.None,
        ["load-balancer_member"] = Caps.None,
        ["load-balancer_quota_admin"] = Caps.None,
        ["load-balancer_admin"] = Caps.None,
        ["admin"] = Caps.All,
        ["reader"] = Caps.ReadOwn | Caps.QuotaReadOwn,
        ["member"] = Caps.ReadOwn | Caps.WriteOwn | Caps.QuotaReadOwn,
    };

    /// <summary>
    /// Octavia 11's base rules (etc/policies/octavia-11.yaml, controller.md §9.2's deprecated column as that release
    /// enforced it): the <c>load-balancer_*</c> roles as under the deprecated defaults, Keystone's <c>admin</c> still an
    /// admin, and its plain <c>reader</c> and <c>member</c> refused everything, lists and provider/flavor/AZ reads included.
    /// </summary>
    private static readonly Dictionary<string, Caps> Octavia11 = new()
    {
        ["load-balancer_observer"] = Caps.ReadOwn | Caps.QuotaReadOwn,
        ["load-balancer_global_observer"] = Caps.ReadOwn | Caps.ReadAll | Caps.QuotaReadOwn | Caps.QuotaReadAll,
        ["load-balancer_member"] = Caps.ReadOwn | Caps.WriteOwn | Caps.QuotaReadOwn,
        ["load-balancer_quota_admin"] = Caps.QuotaReadOwn | Caps.QuotaReadAll | Caps.QuotaWrite,
        ["load-balancer_admin"] = Caps.All,
        ["admin"] = Caps.All,
        ["reader"] = Caps.None,
        ["member"] = Caps.None,
    };

    /// <summary>One project's objects: a load balancer with one of everything below it.</summary>
    private sealed record Tree(string Project, string Lb, string Listener, string Pool, string Member, string Monitor, string Policy, string Rule);

    /// <summary>A request of the matrix and what it needs: for an own/other object pair the need of the other one is the "All" variant.</summary>
    /// <param name="DeniedOnly">Sent only to roles that must be refused (a success would change what later roles see).</param>
    private sealed record Probe(HttpMethod Method, string Path, string? Body, Caps Need, HttpStatusCode Success, string? WaitForLb, bool DeniedOnly = false);

    [Fact]
    public Task Matrix_DeprecatedDefaults_GivesUpstreamsAnswers() => RunMatrixAsync(fixture.Octavia, Deprecated);

    [Fact]
    public async Task Matrix_EnforceNewDefaults_GivesUpstreamsAnswers()
    {
        await using var octavia = await fixture.StartOctaviaAsync(new Dictionary<string, string?> { ["oslo_policy:enforce_new_defaults"] = "true" });
        await RunMatrixAsync(octavia, NewDefaults);
    }

    [Fact]
    public async Task Matrix_Octavia11PolicyFile_GivesUpstreamsAnswers()
    {
        await using var octavia = await fixture.StartOctaviaAsync(new Dictionary<string, string?>
        {
            ["oslo_policy:policy_file"] = Path.Combine(RepositoryPaths.Root, "etc", "policies", "octavia-11.yaml"),
        });
        await RunMatrixAsync(octavia, Octavia11);

        // What the client suite saw: a plain member refused with upstream's fault on lists and catalog reads.
        using var member = octavia.ClientWith(await RbacTokens.GetAsync(fixture, KeystoneFixture.ProjectA, "member"));
        foreach (var path in new[] { "/v2/lbaas/loadbalancers", "/v2/lbaas/providers", "/v2/lbaas/flavors", "/v2/lbaas/availabilityzones" })
        {
            var response = await member.ApiGetAsync(path);
            Assert.Equal(HttpStatusCode.Forbidden, response.Status);
            Assert.Equal("Policy does not allow this request to be performed.", response.Json["faultstring"]!.GetValue<string>());
        }
    }

    private async Task RunMatrixAsync(KeystoneOctavia octavia, Dictionary<string, Caps> table)
    {
        using var admin = octavia.ClientWith(await RbacTokens.GetAsync(fixture, KeystoneFixture.ProjectA, "admin"));
        var own = await BuildTreeAsync(admin, fixture.ProjectId(KeystoneFixture.ProjectA));
        var other = await BuildTreeAsync(admin, fixture.ProjectId(KeystoneFixture.ProjectB));
        var probes = Probes(own, Caps.ReadOwn, Caps.WriteOwn, Caps.QuotaReadOwn)
            .Concat(Probes(other, Caps.ReadAll, Caps.WriteAll, Caps.QuotaReadAll))
            .Concat(Globals(other.Project)).Concat(CrossParents(own, other)).ToList();

        var wrong = new StringBuilder();
        foreach (var (role, caps) in table)
        {
            using var client = octavia.ClientWith(await RbacTokens.GetAsync(fixture, KeystoneFixture.ProjectA, role));
            foreach (var probe in probes)
            {
                var allowed = (caps & probe.Need) == probe.Need;
                if (allowed && probe.DeniedOnly)
                {
                    continue;
                }

                var expected = allowed ? probe.Success : HttpStatusCode.Forbidden;
                var response = await client.SendAsync(probe.Method, probe.Path, probe.Body);
                if (response.Status != expected || (response.Raw.Length > 0 && response.Message.Content.Headers.ContentType?.MediaType != "application/json"))
                {
                    wrong.AppendLine($"{role,-30} {probe.Method,-6} {probe.Path}: {(int)response.Status} (expected {(int)expected}) {response.Raw[..Math.Min(120, response.Raw.Length)]}");
                }

                if (probe.WaitForLb is { } lb)
                {
                    // A refused change leaves the load balancer as it was; an accepted one is waited for.
                    if (response.Status == HttpStatusCode.Forbidden)
                    {
                        var status = (await admin.ApiGetAsync($"/v2/lbaas/loadbalancers/{lb}")).Json["loadbalancer"]!["provisioning_status"]!.GetValue<string>();
                        if (status != "ACTIVE")
                        {
                            wrong.AppendLine($"{role,-30} {probe.Method,-6} {probe.Path}: refused, but the load balancer is {status}");
                        }
                    }
                    else
                    {
                        await admin.WaitForLoadBalancerAsync(lb);
                    }
                }
            }
        }

        Assert.True(wrong.Length == 0, "\n" + wrong);
    }

    private static IEnumerable<Probe> Probes(Tree t, Caps read, Caps write, Caps quotaRead)
    {
        var get = HttpMethod.Get;
        var put = HttpMethod.Put;
        yield return new(get, $"/v2/lbaas/loadbalancers/{t.Lb}", null, read, HttpStatusCode.OK, null);
        yield return new(get, $"/v2/lbaas/loadbalancers/{t.Lb}?fields=id&fields=project_id", null, read, HttpStatusCode.OK, null);
        yield return new(get, $"/v2/lbaas/loadbalancers/{t.Lb}/stats", null, read, HttpStatusCode.OK, null);
        yield return new(get, $"/v2/lbaas/loadbalancers/{t.Lb}/status", null, read, HttpStatusCode.OK, null);
        yield return new(get, $"/v2/lbaas/listeners/{t.Listener}", null, read, HttpStatusCode.OK, null);
        yield return new(get, $"/v2/lbaas/listeners/{t.Listener}/stats", null, read, HttpStatusCode.OK, null);
        yield return new(get, $"/v2/lbaas/pools/{t.Pool}", null, read, HttpStatusCode.OK, null);
        yield return new(get, $"/v2/lbaas/pools/{t.Pool}/members", null, read, HttpStatusCode.OK, null);
        yield return new(get, $"/v2/lbaas/pools/{t.Pool}/members/{t.Member}", null, read, HttpStatusCode.OK, null);
        yield return new(get, $"/v2/lbaas/healthmonitors/{t.Monitor}", null, read, HttpStatusCode.OK, null);
        yield return new(get, $"/v2/lbaas/l7policies/{t.Policy}", null, read, HttpStatusCode.OK, null);
        yield return new(get, $"/v2/lbaas/l7policies/{t.Policy}/rules", null, read, HttpStatusCode.OK, null);
        yield return new(get, $"/v2/lbaas/l7policies/{t.Policy}/rules/{t.Rule}", null, read, HttpStatusCode.OK, null);
        yield return new(get, $"/v2/lbaas/quotas/{t.Project}", null, quotaRead, HttpStatusCode.OK, null);
        yield return new(get, $"/v2/lbaas/quotas/{t.Project}/default", null, quotaRead, HttpStatusCode.OK, null);
        yield return new(put, $"/v2/lbaas/quotas/{t.Project}", """{"quota": {"load_balancer": -1}}""", Caps.QuotaWrite, HttpStatusCode.Accepted, null);

        yield return new(put, $"/v2/lbaas/loadbalancers/{t.Lb}", """{"loadbalancer": {"description": "rbac"}}""", write, HttpStatusCode.OK, t.Lb);
        yield return new(put, $"/v2/lbaas/listeners/{t.Listener}", """{"listener": {"description": "rbac"}}""", write, HttpStatusCode.OK, t.Lb);
        yield return new(put, $"/v2/lbaas/pools/{t.Pool}", """{"pool": {"description": "rbac"}}""", write, HttpStatusCode.OK, t.Lb);
        yield return new(put, $"/v2/lbaas/pools/{t.Pool}/members/{t.Member}", """{"member": {"name": "rbac"}}""", write, HttpStatusCode.OK, t.Lb);
        yield return new(put, $"/v2/lbaas/healthmonitors/{t.Monitor}", """{"healthmonitor": {"name": "rbac"}}""", write, HttpStatusCode.OK, t.Lb);
        yield return new(put, $"/v2/lbaas/l7policies/{t.Policy}", """{"l7policy": {"name": "rbac"}}""", write, HttpStatusCode.OK, t.Lb);
        yield return new(put, $"/v2/lbaas/l7policies/{t.Policy}/rules/{t.Rule}", """{"rule": {"value": "/rbac"}}""", write, HttpStatusCode.OK, t.Lb);
        yield return new(put, $"/v2/lbaas/loadbalancers/{t.Lb}/failover", null, Caps.Admin, HttpStatusCode.Accepted, t.Lb);

        // Creating below another project's objects, and deleting them, is refused before anything changes.
        if (write == Caps.WriteAll)
        {
            yield return new(HttpMethod.Post, "/v2/lbaas/listeners", $$$"""{"listener": {"loadbalancer_id": "{{{t.Lb}}}", "protocol": "TCP", "protocol_port": 81}}""",
                Caps.WriteAll, HttpStatusCode.Created, t.Lb, DeniedOnly: true);
            yield return new(HttpMethod.Delete, $"/v2/lbaas/listeners/{t.Listener}", null, Caps.WriteAll, HttpStatusCode.NoContent, t.Lb, DeniedOnly: true);
            yield return new(HttpMethod.Delete, $"/v2/lbaas/pools/{t.Pool}/members/{t.Member}", null, Caps.WriteAll, HttpStatusCode.NoContent, t.Lb, DeniedOnly: true);
            yield return new(HttpMethod.Delete, $"/v2/lbaas/loadbalancers/{t.Lb}?cascade=true", null, Caps.WriteAll, HttpStatusCode.NoContent, t.Lb, DeniedOnly: true);
            yield return new(HttpMethod.Delete, $"/v2/lbaas/quotas/{t.Project}", null, Caps.QuotaWrite, HttpStatusCode.Accepted, null, DeniedOnly: true);
        }
    }

    /// <summary>
    /// Members and L7 rules in upstream's order: the parent must exist, then the child (404 for everyone, whoever owns the
    /// parent), then the policy on the child's project (403), then a child of another parent is 404 through this one.
    /// </summary>
    private static IEnumerable<Probe> CrossParents(Tree own, Tree other)
    {
        const string missing = "3c1b2a70-0000-4000-8000-00000000c41d";
        foreach (var t in new[] { own, other })
        {
            foreach (var (method, body) in new[] { (HttpMethod.Get, (string?)null), (HttpMethod.Put, """{"member": {"name": "x"}}"""), (HttpMethod.Delete, null) })
            {
                yield return new(method, $"/v2/lbaas/pools/{t.Pool}/members/{missing}", body, Caps.None, HttpStatusCode.NotFound, null);
            }

            foreach (var (method, body) in new[] { (HttpMethod.Get, (string?)null), (HttpMethod.Put, """{"rule": {"value": "/x"}}"""), (HttpMethod.Delete, null) })
            {
                yield return new(method, $"/v2/lbaas/l7policies/{t.Policy}/rules/{missing}", body, Caps.None, HttpStatusCode.NotFound, null);
            }
        }

        // The policy looks at the child's project: the own child through the other's parent needs only own reads.
        yield return new(HttpMethod.Get, $"/v2/lbaas/pools/{other.Pool}/members/{own.Member}", null, Caps.ReadOwn, HttpStatusCode.NotFound, null);
        yield return new(HttpMethod.Get, $"/v2/lbaas/pools/{own.Pool}/members/{other.Member}", null, Caps.ReadAll, HttpStatusCode.NotFound, null);
        yield return new(HttpMethod.Get, $"/v2/lbaas/l7policies/{other.Policy}/rules/{own.Rule}", null, Caps.ReadOwn, HttpStatusCode.NotFound, null);
        yield return new(HttpMethod.Get, $"/v2/lbaas/l7policies/{own.Policy}/rules/{other.Rule}", null, Caps.ReadAll, HttpStatusCode.NotFound, null);
    }

    /// <summary>Lists and the objects without a project (target: the caller's project).</summary>
    private static IEnumerable<Probe> Globals(string otherProject)
    {
        var get = HttpMethod.Get;
        foreach (var list in new[] { "loadbalancers", "listeners", "pools", "healthmonitors", "l7policies" })
        {
            yield return new(get, $"/v2/lbaas/{list}", null, Caps.ReadOwn, HttpStatusCode.OK, null);
            yield return new(get, $"/v2/lbaas/{list}?project_id={otherProject}", null, Caps.ReadAll, HttpStatusCode.OK, null);
        }

        yield return new(get, "/v2/lbaas/quotas", null, Caps.QuotaReadOwn, HttpStatusCode.OK, null);
        yield return new(get, $"/v2/lbaas/quotas?project_id={otherProject}", null, Caps.QuotaReadAll, HttpStatusCode.OK, null);
        yield return new(get, "/v2/lbaas/providers", null, Caps.ReadOwn, HttpStatusCode.OK, null);
        yield return new(get, "/v2/lbaas/flavors", null, Caps.ReadOwn, HttpStatusCode.OK, null);
        yield return new(get, "/v2/lbaas/availabilityzones", null, Caps.ReadOwn, HttpStatusCode.OK, null);
        yield return new(get, "/v2/lbaas/flavorprofiles", null, Caps.Admin, HttpStatusCode.OK, null);
        yield return new(get, "/v2/lbaas/availabilityzoneprofiles", null, Caps.Admin, HttpStatusCode.OK, null);
        yield return new(get, "/v2/lbaas/providers/amphora/flavor_capabilities", null, Caps.Admin, HttpStatusCode.OK, null);
        yield return new(get, "/v2/lbaas/providers/amphora/availability_zone_capabilities", null, Caps.Admin, HttpStatusCode.OK, null);
        yield return new(get, "/v2/octavia/amphorae", null, Caps.Admin, HttpStatusCode.OK, null);
        yield return new(HttpMethod.Post, "/v2/lbaas/flavorprofiles", """{"flavorprofile": {"name": "rbac", "provider_name": "amphora", "flavor_data": "{}"}}""",
            Caps.Admin, HttpStatusCode.Created, null);

        // Not found comes before the policy: the same 404 for everyone.
        yield return new(get, "/v2/lbaas/loadbalancers/3c1b2a70-0000-4000-8000-000000000000", null, Caps.None, HttpStatusCode.NotFound, null);
    }

    [Fact]
    public async Task AnyMethod_WithoutValidToken_Is401()
    {
        foreach (var token in new[] { null, "garbage", "gAAAAABpZW5vdC1hLXJlYWwtdG9rZW4tYXQtYWxsLWp1c3Qtc29tZS1ieXRlcy1mb3ItdGVzdA" })
        {
            using var client = fixture.Octavia.ClientWith(token);
            foreach (var (method, path) in new[]
            {
                (HttpMethod.Post, "/v2/lbaas/loadbalancers"), (HttpMethod.Put, "/v2/lbaas/pools/x"), (HttpMethod.Delete, "/v2/lbaas/listeners/x"),
                (HttpMethod.Get, "/v2/lbaas/quotas"), (HttpMethod.Get, "/v2/octavia/amphorae"), (HttpMethod.Put, "/v2/lbaas/loadbalancers/x/failover"),
            })
            {
                var response = await client.SendAsync(method, path, method == HttpMethod.Get ? null : "{}");
                Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
                Assert.Equal("application/json", response.Message.Content.Headers.ContentType?.MediaType);
            }
        }
    }

    private static async Task<Tree> BuildTreeAsync(HttpClient admin, string project)
    {
        var lb = await admin.CreateLoadBalancerAsync("rbac", project: project);
        var listener = await admin.CreateListenerAsync(lb);
        var pool = await admin.CreatePoolAsync(lb, listener);
        var member = await admin.CreateChildAsync($"/v2/lbaas/pools/{pool}/members", "member",
            """{"member": {"address": "192.0.2.10", "protocol_port": 80}}""", lb);
        var monitor = await admin.CreateChildAsync("/v2/lbaas/healthmonitors", "healthmonitor",
            $$$"""{"healthmonitor": {"pool_id": "{{{pool}}}", "type": "TCP", "delay": 5, "timeout": 3, "max_retries": 3}}""", lb);
        var policy = await admin.CreateChildAsync("/v2/lbaas/l7policies", "l7policy",
            $$$"""{"l7policy": {"listener_id": "{{{listener}}}", "action": "REJECT"}}""", lb);
        var rule = await admin.CreateChildAsync($"/v2/lbaas/l7policies/{policy}/rules", "rule",
            """{"rule": {"type": "PATH", "compare_type": "STARTS_WITH", "value": "/x"}}""", lb);
        return new Tree(project, lb, listener, pool, member, monitor, policy, rule);
    }
}
