using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Octavia.Api.Tests.Infrastructure;

namespace Octavia.Api.Tests.Fuzz;

/// <summary>
/// Sends at least 10,000 random malformed requests at every endpoint — bad JSON, wrong types, huge
/// strings, bad UUIDs, unknown fields, wrong methods, junk query strings — and checks that none gets a
/// 5xx and that everything stored before is byte-for-byte unchanged afterwards.
/// </summary>
public abstract class FuzzTests(OctaviaFixture fixture)
{
    private const int RequestCount = 10_000;
    private HttpClient Client => fixture.Client;

    private static readonly string[] Collections =
    [
        "/v2/lbaas/loadbalancers", "/v2/lbaas/listeners", "/v2/lbaas/pools", "/v2/lbaas/healthmonitors", "/v2/lbaas/l7policies",
        "/v2/lbaas/quotas", "/v2/lbaas/flavors", "/v2/lbaas/flavorprofiles", "/v2/lbaas/availabilityzones",
        "/v2/lbaas/availabilityzoneprofiles", "/v2/octavia/amphorae", "/v2/lbaas/providers",
    ];

    private static readonly Dictionary<string, string> Envelopes = new()
    {
        ["/v2/lbaas/loadbalancers"] = "loadbalancer",
        ["/v2/lbaas/listeners"] = "listener",
        ["/v2/lbaas/pools"] = "pool",
        ["/v2/lbaas/healthmonitors"] = "healthmonitor",
        ["/v2/lbaas/l7policies"] = "l7policy",
        ["/v2/lbaas/quotas"] = "quota",
        ["/v2/lbaas/flavors"] = "flavor",
        ["/v2/lbaas/flavorprofiles"] = "flavorprofile",
        ["/v2/lbaas/availabilityzones"] = "availability_zone",
        ["/v2/lbaas/availabilityzoneprofiles"] = "availability_zone_profile",
        ["/v2/octavia/amphorae"] = "amphora",
        ["/v2/lbaas/providers"] = "provider",
    };

    private static readonly string[] FieldNames =
    [
        "name", "description", "admin_state_up", "vip_subnet_id", "vip_address", "protocol", "protocol_port", "loadbalancer_id",
        "listener_id", "pool_id", "lb_algorithm", "address", "weight", "type", "delay", "timeout", "max_retries", "url_path",
        "action", "position", "compare_type", "value", "key", "tags", "session_persistence", "insert_headers", "allowed_cidrs",
        "flavor_profile_id", "flavor_data", "provider_name", "members", "listeners", "pools", "default_pool", "healthmonitor",
        "connection_limit", "timeout_client_data", "expected_codes", "http_method", "redirect_url", "project_id", "id",
    ];

    [Fact]
    public async Task RandomMalformedRequests_NeverServerError_AndStoredDataUnchanged()
    {
        var lb = await Client.CreateLoadBalancerAsync("fuzz-target", """, "tags": ["keep"]""");
        var children = await SeedChildrenAsync(lb);
        string[] extra = [$"/v2/lbaas/pools/{children[1]}/members", $"/v2/lbaas/l7policies/{children[4]}/rules", $"/v2/lbaas/loadbalancers/{lb}/status"];
        var before = await SnapshotAsync(extra);

        var random = new Random(20261125);
        // Real objects only ever receive requests that must be refused; mutations with plausible bodies go to ids that do not exist.
        string[] real = [lb, .. children];
        string[] junk = [Guid.NewGuid().ToString(), "not-a-uuid", "", "%00", new string('a', 300), "00000000-0000-0000-0000-000000000000"];
        var serverErrors = new List<string>();
        for (var i = 0; i < RequestCount; i++)
        {
            var (method, path, body) = MakeRequest(random, real, junk);
            ApiResponse response;
            try
            {
                response = await Client.SendAsync(method, path, body);
            }
            catch (HttpRequestException e)
            {
                serverErrors.Add($"{method} {path}: connection failed {e.Message}");
                continue;
            }

            if ((int)response.Status >= 500)
            {
                serverErrors.Add($"{method} {path} {body?[..Math.Min(body.Length, 200)]} -> {(int)response.Status} {response.Raw[..Math.Min(response.Raw.Length, 200)]}");
            }
            // Kestrel itself refuses a NUL byte in the request target at the HTTP layer, before any
            // application code runs, with an empty 400 and Connection: close; everything else is ours.
            else if ((int)response.Status >= 400 && response.Message.Content.Headers.ContentType?.MediaType != "application/json"
                && !path.Contains("%00", StringComparison.Ordinal))
            {
                serverErrors.Add($"{method} {path} -> {(int)response.Status} without application/json");
            }
        }

        Assert.True(serverErrors.Count == 0, string.Join("\n", serverErrors.Take(20)));
        var after = await SnapshotAsync(extra);
        Assert.Equal(before, after);
    }

    private static (HttpMethod, string, string?) MakeRequest(Random random, string[] real, string[] junk)
    {
        var collection = Collections[random.Next(Collections.Length)];
        var id = random.Next(2) == 0 ? real[random.Next(real.Length)] : junk[random.Next(junk.Length)];
        var junkId = Uri.EscapeDataString(junk[random.Next(junk.Length)]);
        var envelope = Envelopes[collection];
        var kind = random.Next(10);
        return kind switch
        {
            // Collection GETs with junk query strings.
            0 => (HttpMethod.Get, collection + "?" + RandomQuery(random), null),
            // GET of any id, DELETE of ids that do not exist.
            1 => random.Next(2) == 0
                ? (HttpMethod.Get, collection + "/" + Uri.EscapeDataString(id) + (random.Next(3) == 0 ? "/stats" : ""), null)
                : (HttpMethod.Delete, collection + "/" + junkId, null),
            // Wrong methods on real paths.
            2 => (new[] { HttpMethod.Patch, HttpMethod.Post, HttpMethod.Options }[random.Next(3)], collection + "/" + id, "{}"),
            // Bodies that are not JSON or are truncated.
            3 => (random.Next(2) == 0 ? HttpMethod.Post : HttpMethod.Put, collection + (random.Next(2) == 0 ? "" : "/" + id), BrokenJson(random, envelope)),
            // A body with at least one unknown attribute.
            4 => (random.Next(2) == 0 ? HttpMethod.Post : HttpMethod.Put, collection + (random.Next(2) == 0 ? "" : "/" + id),
                $"{{\"{envelope}\": {{{RandomFields(random, 3)}\"zz_unknown_{random.Next(1000)}\": 1}}}}"),
            // Wrong types for known attributes: creates that lack required attributes, updates of ids that do not exist.
            5 => (random.Next(2) == 0 ? HttpMethod.Post : HttpMethod.Put, collection + (random.Next(2) == 0 ? "" : "/" + junkId),
                $"{{\"{envelope}\": {{\"{FieldNames[random.Next(FieldNames.Length)]}\": {WrongValue(random)}}}}}"),
            // Huge strings.
            6 => (HttpMethod.Post, collection, $"{{\"{envelope}\": {{\"name\": \"{new string('x', 256 + random.Next(120_000))}\", \"zz\": 1}}}}"),
            // Wrong envelope.
            7 => (random.Next(2) == 0 ? HttpMethod.Post : HttpMethod.Put, collection + (random.Next(2) == 0 ? "" : "/" + id),
                $"{{\"{Envelopes.Values.ElementAt(random.Next(Envelopes.Count))}x\": {{}}}}"),
            // Sub-resources of the seeded load balancer with bad bodies.
            8 => (HttpMethod.Put, $"/v2/lbaas/loadbalancers/{real[0]}" + new[] { "", "/status", "/stats", "/failoverx" }[random.Next(4)],
                $"{{\"loadbalancer\": {{\"vip_address\": {WrongValue(random)}}}}}"),
            // Member paths with junk pool ids and bodies.
            _ => (new[] { HttpMethod.Get, HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete }[random.Next(4)],
                $"/v2/lbaas/pools/{junkId}/members" + (random.Next(2) == 0 ? "" : "/" + Guid.NewGuid()),
                $"{{\"member\": {{\"address\": {WrongValue(random)}, \"protocol_port\": {WrongValue(random)}}}}}"),
        };
    }

    private static string RandomQuery(Random random)
    {
        var keys = new[] { "limit", "marker", "sort", "sort_key", "sort_dir", "fields", "tags", "tags-any", "not-tags", "page_reverse", "name", "bogus", "admin_state_up", "created_at", "protocol_port" };
        var values = new[] { "-1", "abc", "0", "99999999999999", "name:sideways", "id:asc,name:desc", "", "%FF", "true", "maybe", "2020-13-45", Guid.NewGuid().ToString(), new string('z', 500) };
        return string.Join("&", Enumerable.Range(0, 1 + random.Next(4)).Select(_ => $"{keys[random.Next(keys.Length)]}={Uri.EscapeDataString(values[random.Next(values.Length)])}"));
    }

    private static string BrokenJson(Random random, string envelope)
    {
        var options = new[]
        {
            $"{{\"{envelope}\": {{\"name\": \"x\",", "{", "[", "null", "\"text\"", "12", "{\"a\":", "\u0000\u0001", "{\"" + envelope + "\": [1,2,3]}",
            "{\"" + envelope + "\": null}", "{\"" + envelope + "\": \"str\"}", new string('[', 100) + new string(']', 100), "{'single': 'quotes'}",
        };
        return options[random.Next(options.Length)];
    }

    private static string RandomFields(Random random, int count) =>
        string.Concat(Enumerable.Range(0, random.Next(count)).Select(_ => $"\"{FieldNames[random.Next(FieldNames.Length)]}\": {WrongValue(random)}, "));

    private static string WrongValue(Random random)
    {
        var values = new[]
        {
            "\"not-a-uuid\"", "-1", "99999999999999999999", "1.5", "true", "null", "[]", "{}", "[1,2]", "{\"a\": 1}", "\"\"",
            "\"" + new string('y', 300) + "\"", "\"300.1.2.3\"", "\"GET\\r\\nX: y\"", "1e400", "-0", "\"\\u0000\"",
        };
        return values[random.Next(values.Length)];
    }

    /// <summary>A listener, pool, monitor, member, L7 policy and rule on the load balancer, through the API.</summary>
    private async Task<string[]> SeedChildrenAsync(string lb)
    {
        async Task<string> CreateAsync(string path, string envelope, string body)
        {
            var response = await Client.ApiPostAsync(path, body);
            Assert.True(response.Status == HttpStatusCode.Created, response.Raw);
            await Client.WaitForLoadBalancerAsync(lb);
            return response.Json[envelope]!["id"]!.GetValue<string>();
        }

        var listener = await CreateAsync("/v2/lbaas/listeners", "listener",
            $$$"""{"listener": {"name": "l1", "protocol": "HTTP", "protocol_port": 80, "loadbalancer_id": "{{{lb}}}"}}""");
        var pool = await CreateAsync("/v2/lbaas/pools", "pool",
            $$$"""{"pool": {"name": "p1", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "listener_id": "{{{listener}}}"}}""");
        var monitor = await CreateAsync("/v2/lbaas/healthmonitors", "healthmonitor",
            $$$"""{"healthmonitor": {"pool_id": "{{{pool}}}", "type": "HTTP", "delay": 5, "timeout": 3, "max_retries": 2}}""");
        var member = await CreateAsync($"/v2/lbaas/pools/{pool}/members", "member",
            """{"member": {"address": "192.0.2.10", "protocol_port": 80}}""");
        var policy = await CreateAsync("/v2/lbaas/l7policies", "l7policy",
            $$$"""{"l7policy": {"listener_id": "{{{listener}}}", "action": "REJECT"}}""");
        var rule = await CreateAsync($"/v2/lbaas/l7policies/{policy}/rules", "rule",
            """{"rule": {"type": "PATH", "compare_type": "STARTS_WITH", "value": "/api"}}""");
        return [listener, pool, monitor, member, policy, rule];
    }

    /// <summary>Every object the API shows, as raw JSON, in a stable order.</summary>
    private async Task<string> SnapshotAsync(string[] extra)
    {
        var sb = new StringBuilder();
        foreach (var collection in Collections.Concat(extra))
        {
            var response = await Client.ApiGetAsync(collection.Contains('?', StringComparison.Ordinal) ? collection : collection + "?limit=1000");
            sb.Append(collection).Append(' ').Append((int)response.Status).Append(' ').AppendLine(response.Raw);
        }

        return sb.ToString();
    }
}

public sealed class FuzzSqliteTests(SqliteFixture fixture) : FuzzTests(fixture), IClassFixture<SqliteFixture>;

public sealed class FuzzPostgresTests(PostgresFixture fixture) : FuzzTests(fixture), IClassFixture<PostgresFixture>;
