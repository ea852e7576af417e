using System.Net;
using System.Text.Json.Nodes;
using Octavia.Api.Tests.Infrastructure;

namespace Octavia.Api.Tests.Resources;

/// <summary>
/// What upstream's clients and test suites rely on beyond the documented shapes (issue 13): request values sent
/// as strings are converted as WSME converts them, addresses come back as sent, every attribute of upstream's
/// data models filters a collection, and no-op amphorae carry port ids. Run on each database.
/// </summary>
public abstract class WireCompatibilityTests(OctaviaFixture fixture)
{
    private HttpClient Client => fixture.Client;

    private static string NewProject() => "p-" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>The objects a case needs, made on demand: one load balancer per case keeps the cases apart.</summary>
    private sealed class Tree(OctaviaFixture fixture)
    {
        public HttpClient Client => fixture.Client;
        private string? _lb, _listener, _pool, _policy;

        public string Project { get; } = NewProject();

        public async Task<string> LoadBalancerAsync() => _lb ??= await Client.CreateLoadBalancerAsync("wire", project: Project);

        public async Task<string> ListenerAsync() => _listener ??= await Client.CreateListenerAsync(await LoadBalancerAsync());

        public async Task<string> PoolAsync() => _pool ??= await Client.CreatePoolAsync(await LoadBalancerAsync(), await ListenerAsync());

        public async Task<string> PolicyAsync() => _policy ??= await Client.CreateChildAsync("/v2/lbaas/l7policies", "l7policy",
            $$$"""{"l7policy": {"listener_id": "{{{await ListenerAsync()}}}", "action": "REJECT"}}""", await LoadBalancerAsync());
    }

    private sealed record Target(string Method, string Path, string Envelope, JsonObject Body);

    /// <summary>Where a resource's body goes and the smallest valid body for it; the case's field is set over it.</summary>
    private static async Task<Target> TargetAsync(string resource, Tree tree) => resource switch
    {
        "loadbalancer" => new("POST", "/v2/lbaas/loadbalancers", "loadbalancer",
            new JsonObject { ["vip_subnet_id"] = "8a2b7c1e-4d3f-4a5b-9c6d-7e8f9a0b1c2d", ["project_id"] = tree.Project }),
        "listener" => new("POST", "/v2/lbaas/listeners", "listener",
            new JsonObject { ["loadbalancer_id"] = await tree.LoadBalancerAsync(), ["protocol"] = "HTTP", ["protocol_port"] = 8080 }),
        "pool" => new("POST", "/v2/lbaas/pools", "pool",
            new JsonObject { ["loadbalancer_id"] = await tree.LoadBalancerAsync(), ["protocol"] = "HTTP", ["lb_algorithm"] = "ROUND_ROBIN" }),
        "member" => new("POST", $"/v2/lbaas/pools/{await tree.PoolAsync()}/members", "member",
            new JsonObject { ["address"] = "192.0.2.10", ["protocol_port"] = 80 }),
        "healthmonitor" => new("POST", "/v2/lbaas/healthmonitors", "healthmonitor",
            new JsonObject { ["pool_id"] = await tree.PoolAsync(), ["type"] = "HTTP", ["delay"] = 5, ["timeout"] = 3, ["max_retries"] = 3 }),
        "l7policy" => new("POST", "/v2/lbaas/l7policies", "l7policy",
            new JsonObject { ["listener_id"] = await tree.ListenerAsync(), ["action"] = "REDIRECT_TO_URL", ["redirect_url"] = "http://www.example.com" }),
        "rule" => new("POST", $"/v2/lbaas/l7policies/{await tree.PolicyAsync()}/rules", "rule",
            new JsonObject { ["type"] = "PATH", ["compare_type"] = "STARTS_WITH", ["value"] = "/api" }),
        "quota" => new("PUT", $"/v2/lbaas/quotas/{tree.Project}", "quota", []),
        "flavor" => new("POST", "/v2/lbaas/flavors", "flavor",
            new JsonObject { ["name"] = "f-" + Guid.NewGuid().ToString("N")[..8], ["flavor_profile_id"] = await ProfileAsync(tree, "flavorprofiles", "flavorprofile", "flavor_data") }),
        "availability_zone" => new("POST", "/v2/lbaas/availabilityzones", "availability_zone",
            new JsonObject
            {
                ["name"] = "az-" + Guid.NewGuid().ToString("N")[..8],
                ["availability_zone_profile_id"] = await ProfileAsync(tree, "availabilityzoneprofiles", "availability_zone_profile", "availability_zone_data"),
            }),
        "udp_pool" => new("POST", "/v2/lbaas/pools", "pool",
            new JsonObject { ["loadbalancer_id"] = await tree.LoadBalancerAsync(), ["protocol"] = "UDP", ["lb_algorithm"] = "ROUND_ROBIN" }),
        _ => throw new ArgumentOutOfRangeException(nameof(resource)),
    };

    private static async Task<string> ProfileAsync(Tree tree, string collection, string envelope, string dataKey)
    {
        var body = new JsonObject { [envelope] = new JsonObject { ["name"] = "prof", ["provider_name"] = "amphora", [dataKey] = "{}" } };
        var response = await tree.Client.ApiPostAsync("/v2/lbaas/" + collection, body.ToJsonString());
        Assert.True(response.Status == HttpStatusCode.Created, response.Raw);
        return response.Json[envelope]!["id"]!.GetValue<string>();
    }

    private async Task<ApiResponse> SendAsync(Target target, string field, JsonNode value)
    {
        var path = field.Split('.');
        var inner = target.Body;
        for (var i = 0; i < path.Length - 1; i++)
        {
            inner = (JsonObject)(inner[path[i]] ??= new JsonObject { ["type"] = "SOURCE_IP" });
        }

        inner[path[^1]] = value;
        var body = new JsonObject { [target.Envelope] = target.Body }.ToJsonString();
        return target.Method == "POST" ? await Client.ApiPostAsync(target.Path, body) : await Client.ApiPutAsync(target.Path, body);
    }

    /// <summary>Every integer and boolean attribute of every request body, sent as a string, and what the object then shows.</summary>
    public static TheoryData<string, string, string, string> StringForms() => new()
    {
        { "loadbalancer", "admin_state_up", "off", "false" },
        { "listener", "admin_state_up", "false", "false" },
        { "listener", "protocol_port", "8081", "8081" },
        { "listener", "connection_limit", "100", "100" },
        { "listener", "timeout_client_data", "1000", "1000" },
        { "listener", "timeout_member_connect", "2000", "2000" },
        { "listener", "timeout_member_data", " 3000 ", "3000" },
        { "listener", "timeout_tcp_inspect", "+40", "40" },
        { "listener", "hsts_include_subdomains", "no", "false" },
        { "listener", "hsts_preload", "0", "false" },
        { "pool", "admin_state_up", "n", "false" },
        { "pool", "tls_enabled", "f", "false" },
        { "udp_pool", "session_persistence.persistence_timeout", "1_20", "120" },
        { "member", "admin_state_up", "no", "false" },
        { "member", "protocol_port", "8080", "8080" },
        { "member", "weight", "7", "7" },
        { "member", "backup", "yes", "true" },
        { "member", "monitor_port", "9000", "9000" },
        { "healthmonitor", "admin_state_up", "off", "false" },
        { "healthmonitor", "delay", "11", "11" },
        { "healthmonitor", "timeout", "7", "7" },
        { "healthmonitor", "max_retries", "4", "4" },
        { "healthmonitor", "max_retries_down", "6", "6" },
        { "healthmonitor", "http_version", "1.0", "1.0" },
        { "l7policy", "admin_state_up", "false", "false" },
        { "l7policy", "position", "1", "1" },
        { "l7policy", "redirect_http_code", "308", "308" },
        { "rule", "admin_state_up", "0", "false" },
        { "rule", "invert", "t", "true" },
        { "quota", "loadbalancer", "5", "5" },
        { "quota", "load_balancer", "6", "6" },
        { "quota", "listener", "7", "7" },
        { "quota", "pool", "8", "8" },
        { "quota", "member", "-1", "-1" },
        { "quota", "healthmonitor", "9", "9" },
        { "quota", "health_monitor", "10", "10" },
        { "quota", "l7policy", "11", "11" },
        { "quota", "l7rule", "12", "12" },
        { "flavor", "enabled", "off", "false" },
        { "availability_zone", "enabled", "y", "true" },
    };

    [Theory]
    [MemberData(nameof(StringForms))]
    public async Task StringForm_IsConverted_AsUpstreamDoes(string resource, string field, string sent, string shown)
    {
        var tree = new Tree(fixture);
        var target = await TargetAsync(resource, tree);
        var response = await SendAsync(target, field, JsonValue.Create(sent));

        Assert.True(response.Status is HttpStatusCode.Created or HttpStatusCode.OK or HttpStatusCode.Accepted, response.Raw);
        var obj = response.Json[target.Envelope]!;
        // A quota shows the current spelling of the two renamed keys.
        foreach (var part in field.Replace("loadbalancer", "load_balancer", StringComparison.Ordinal).Replace("healthmonitor", "health_monitor", StringComparison.Ordinal).Split('.'))
        {
            obj = obj[part]!;
        }

        Assert.Equal(shown, obj.ToJsonString());
    }

    /// <summary>What upstream refuses stays refused, with the attribute named.</summary>
    public static TheoryData<string, string, string, string> Refusals() => new()
    {
        { "listener", "protocol_port", "\"eighty\"", "Invalid input for field/attribute protocol_port. Value: 'eighty'. invalid literal for int() with base 10: 'eighty'" },
        { "listener", "protocol_port", "\"8 0\"", "Invalid input for field/attribute protocol_port. Value: '8 0'. invalid literal for int() with base 10: '8 0'" },
        { "listener", "protocol_port", "1.5", "Invalid input for field/attribute protocol_port. Value: '1.5'. Value should be integer." },
        { "listener", "protocol_port", "\"1.5\"", "Invalid input for field/attribute protocol_port. Value: '1.5'. invalid literal for int() with base 10: '1.5'" },
        { "listener", "protocol_port", "\"70000\"", "Invalid input for field/attribute protocol_port. Value: '70000'. Value should be lower or equal to 65535" },
        { "listener", "protocol_port", "\"0\"", "Invalid input for field/attribute protocol_port. Value: '0'. Value should be greater or equal to 1" },
        { "listener", "protocol_port", "\"99999999999999999999\"", "Invalid input for field/attribute protocol_port. Value: '99999999999999999999'. Value should be lower or equal to 65535" },
        { "member", "weight", "\"-1\"", "Invalid input for field/attribute weight. Value: '-1'. Value should be greater or equal to 0" },
        { "member", "backup", "\"maybe\"", "Invalid input for field/attribute backup. Value: 'maybe'. Value not an unambiguous boolean: maybe" },
        { "member", "backup", "\"True\"", "Invalid input for field/attribute backup. Value: 'True'. Value not an unambiguous boolean: True" },
        { "member", "backup", "1.5", "Invalid input for field/attribute backup. Value: '1.5'. Value not an unambiguous boolean: 1.5" },
        { "healthmonitor", "http_version", "\"one\"", "Invalid input for field/attribute http_version. Value: 'one'. Value should be a number." },
        { "quota", "listener", "\"-2\"", "Invalid input for field/attribute listener. Value: '-2'. Value should be greater or equal to -1" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task InvalidForm_IsRefused_WithUpstreamsText(string resource, string field, string json, string fault)
    {
        var tree = new Tree(fixture);
        var response = await SendAsync(await TargetAsync(resource, tree), field, JsonNode.Parse(json)!);

        Assert.True(response.Status == HttpStatusCode.BadRequest, response.Raw);
        Assert.Equal(fault, response.Fault);
    }

    [Fact]
    public async Task IntegerAndBooleanJsonForms_StillWork()
    {
        var tree = new Tree(fixture);
        var member = await SendAsync(await TargetAsync("member", tree), "backup", JsonValue.Create(2));
        Assert.True(member.Status == HttpStatusCode.Created, member.Raw);
        Assert.True(member.Json["member"]!["backup"]!.GetValue<bool>());

        // hsts_max_age is read as an integer from its string; the refusal is then the semantic one (HTTP listener).
        var hsts = await SendAsync(await TargetAsync("listener", tree), "hsts_max_age", JsonValue.Create("100"));
        Assert.Equal(HttpStatusCode.BadRequest, hsts.Status);
        Assert.Equal("Validation failure: The HSTS feature can only be used for listeners using the TERMINATED_HTTPS protocol.", hsts.Fault);
    }

    [Fact]
    public async Task Addresses_ComeBackAsSent_AndAnotherSpellingIsStillADuplicate()
    {
        var tree = new Tree(fixture);
        var lbResponse = await Client.ApiPostAsync("/v2/lbaas/loadbalancers", $$$"""
            {"loadbalancer": {"vip_subnet_id": "8a2b7c1e-4d3f-4a5b-9c6d-7e8f9a0b1c2d", "vip_address": "2001:DB8:0:0:0:0:0:5", "project_id": "{{{tree.Project}}}",
             "additional_vips": [{"subnet_id": "9b3c8d2f-5e4a-4b6c-8d7e-8f9a0b1c2d3e", "ip_address": "2001:db8:0:0::7"}]}}
            """);
        Assert.True(lbResponse.Status == HttpStatusCode.Created, lbResponse.Raw);
        var lbId = lbResponse.Json["loadbalancer"]!["id"]!.GetValue<string>();
        await Client.WaitForLoadBalancerAsync(lbId);
        var lb = (await Client.ApiGetAsync($"/v2/lbaas/loadbalancers/{lbId}")).Json["loadbalancer"]!;
        Assert.Equal("2001:DB8:0:0:0:0:0:5", lb["vip_address"]!.GetValue<string>());
        Assert.Equal("2001:db8:0:0::7", lb["additional_vips"]![0]!["ip_address"]!.GetValue<string>());

        var listener = await Client.CreateListenerAsync(lbId, extra: ", \"allowed_cidrs\": [\"2001:db8:0:0::/64\", \"2001:DB8:0:0:1::5/80\"]");
        // Upstream's CidrType returns the network with its prefix (ipaddress.ip_network(strict=False).with_prefixlen).
        var cidrs = (await Client.ApiGetAsync($"/v2/lbaas/listeners/{listener}")).Json["listener"]!["allowed_cidrs"]!.AsArray();
        Assert.Equal(["2001:db8::/64", "2001:db8:0:0:1::/80"], cidrs.Select(c => c!.GetValue<string>()).ToArray());

        var pool = await Client.CreatePoolAsync(lbId, listener);
        var members = $"/v2/lbaas/pools/{pool}/members";
        var created = await Client.ApiPostAsync(members,
            """{"member": {"address": "2001:db8:0:0:0:0:0:1", "protocol_port": 80, "monitor_address": "2001:db8:0:0:0:0:0:2", "monitor_port": 81}}""");
        Assert.True(created.Status == HttpStatusCode.Created, created.Raw);
        Assert.Equal("2001:db8:0:0:0:0:0:1", created.Json["member"]!["address"]!.GetValue<string>());
        await Client.WaitForLoadBalancerAsync(lbId);
        var shown = (await Client.ApiGetAsync($"{members}/{created.Json["member"]!["id"]!.GetValue<string>()}")).Json["member"]!;
        Assert.Equal("2001:db8:0:0:0:0:0:1", shown["address"]!.GetValue<string>());
        Assert.Equal("2001:db8:0:0:0:0:0:2", shown["monitor_address"]!.GetValue<string>());
        var listed = (await Client.ApiGetAsync($"{members}?address=2001:db8:0:0:0:0:0:1")).Json["members"]!.AsArray();
        Assert.Single(listed);

        var duplicate = await Client.ApiPostAsync(members, """{"member": {"address": "2001:db8::1", "protocol_port": 80}}""");
        Assert.Equal(HttpStatusCode.Conflict, duplicate.Status);
        Assert.Equal("Another member on this pool is already using ip 2001:db8::1 on protocol_port 80", duplicate.Fault);

        // A batch update naming the member in the other spelling updates it rather than replacing it.
        var batch = await Client.ApiPutAsync(members, """{"members": [{"address": "2001:0db8::1", "protocol_port": 80, "weight": 5}]}""");
        Assert.Equal(HttpStatusCode.Accepted, batch.Status);
        await Client.WaitForLoadBalancerAsync(lbId);
        var after = Assert.Single((await Client.ApiGetAsync(members)).Json["members"]!.AsArray())!;
        Assert.Equal(shown["id"]!.GetValue<string>(), after["id"]!.GetValue<string>());
        Assert.Equal(5, after["weight"]!.GetValue<int>());

        var udpPool = await Client.CreatePoolAsync(lbId, protocol: "UDP",
            extra: ", \"session_persistence\": {\"type\": \"SOURCE_IP\", \"persistence_granularity\": \"FFFF:FFFF:FFFF:FFFF:0:0:0:0\"}");
        var persistence = (await Client.ApiGetAsync($"/v2/lbaas/pools/{udpPool}")).Json["pool"]!["session_persistence"]!;
        Assert.Equal("FFFF:FFFF:FFFF:FFFF:0:0:0:0", persistence["persistence_granularity"]!.GetValue<string>());

        // An address upstream's ipaddress refuses: an IPv4 part with a leading zero.
        var octal = await Client.ApiPostAsync(members, """{"member": {"address": "192.0.2.010", "protocol_port": 80}}""");
        Assert.Equal(HttpStatusCode.BadRequest, octal.Status);
        Assert.Equal("Invalid input for field/attribute address. Value: '192.0.2.010'. Value should be IPv4 or IPv6 format", octal.Fault);
    }

    [Fact]
    public async Task NoopAmphorae_CarryUuidPortIds()
    {
        var tree = new Tree(fixture);
        var lb = await tree.LoadBalancerAsync();
        var amphora = Assert.Single((await Client.ApiGetAsync($"/v2/octavia/amphorae?loadbalancer_id={lb}")).Json["amphorae"]!.AsArray())!;
        foreach (var key in new[] { "vrrp_port_id", "ha_port_id", "compute_id" })
        {
            Assert.True(Guid.TryParse(amphora[key]?.GetValue<string>(), out _), $"{key}: {amphora.ToJsonString()}");
        }

        Assert.NotNull(amphora["vrrp_ip"]?.GetValue<string>());
        Assert.NotNull(amphora["ha_ip"]?.GetValue<string>());
        Assert.NotNull(amphora["lb_network_ip"]?.GetValue<string>());
    }

    /// <summary>
    /// Every attribute of upstream's data model filters its collection (pagination.py drops nothing it knows),
    /// under its API name and under the model's own: (collection, filter key, the attribute shown that holds the value).
    /// </summary>
    public static TheoryData<string, string, string> Filters()
    {
        var data = new TheoryData<string, string, string>();
        void Add(string collection, params string[] keys)
        {
            foreach (var key in keys)
            {
                var parts = key.Split('=');
                data.Add(collection, parts[0], parts.Length > 1 ? parts[1] : parts[0]);
            }
        }

        var common = new[] { "id", "name", "project_id", "tenant_id", "provisioning_status", "operating_status", "admin_state_up", "enabled=admin_state_up", "created_at", "updated_at" };
        Add("loadbalancers", [.. common, "description", "vip_address", "vip_port_id", "vip_subnet_id", "vip_network_id", "vip_qos_policy_id", "provider",
            "flavor_id", "availability_zone", "topology=none"]);
        Add("listeners", [.. common, "description", "loadbalancer_id", "load_balancer_id=loadbalancer_id", "protocol", "protocol_port", "connection_limit",
            "default_pool_id", "default_tls_container_ref", "tls_certificate_id=default_tls_container_ref", "client_ca_tls_container_ref",
            "client_ca_tls_certificate_id=client_ca_tls_container_ref", "client_authentication", "client_crl_container_ref",
            "client_crl_container_id=client_crl_container_ref", "timeout_client_data", "timeout_member_connect", "timeout_member_data",
            "timeout_tcp_inspect", "tls_ciphers", "hsts_max_age", "hsts_include_subdomains", "hsts_preload"]);
        Add("pools", [.. common, "description", "loadbalancer_id=none", "load_balancer_id=none", "protocol", "lb_algorithm", "tls_enabled",
            "tls_container_ref", "tls_certificate_id=tls_container_ref", "ca_tls_container_ref", "ca_tls_certificate_id=ca_tls_container_ref",
            "crl_container_ref", "crl_container_id=crl_container_ref", "tls_ciphers"]);
        Add("members", [.. common, "pool_id=none", "address", "ip_address=address", "protocol_port", "weight", "backup", "subnet_id", "monitor_address",
            "monitor_port", "vnic_type"]);
        Add("healthmonitors", [.. common, "pool_id=none", "type", "delay", "timeout", "max_retries", "rise_threshold=max_retries", "max_retries_down",
            "fall_threshold=max_retries_down", "http_method", "url_path", "expected_codes", "http_version", "domain_name"]);
        Add("l7policies", [.. common, "description", "listener_id", "action", "redirect_pool_id", "redirect_url", "redirect_prefix", "position",
            "redirect_http_code"]);
        Add("rules", [.. common.Where(k => k != "name"), "l7policy_id=none", "type", "compare_type", "key", "value", "invert"]);
        Add("amphorae", "id", "loadbalancer_id", "load_balancer_id=loadbalancer_id", "compute_id", "lb_network_ip", "vrrp_ip", "ha_ip", "vrrp_port_id",
            "ha_port_id", "cert_expiration", "cert_busy", "role", "status", "vrrp_interface", "vrrp_id", "vrrp_priority", "cached_zone", "created_at",
            "updated_at", "image_id", "compute_flavor");
        Add("quotas", "project_id", "loadbalancer", "load_balancer", "listener", "pool", "member", "healthmonitor", "health_monitor", "l7policy", "l7rule");
        return data;
    }

    /// <summary>One object per collection to filter for, made once per fixture and shared by the rows of its collection.</summary>
    private sealed record Subject(string Path, string ListKey, string IdKey, string Id, JsonNode Shown, Dictionary<string, string> ParentIds);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(OctaviaFixture, string), Task<Subject>> Subjects = new();

    private async Task<Subject> SubjectAsync(string collection)
    {
        var tree = new Tree(fixture);
        var lb = await tree.LoadBalancerAsync();
        var (path, listKey) = collection switch
        {
            "loadbalancers" => ("/v2/lbaas/loadbalancers", "loadbalancers"),
            "listeners" => ("/v2/lbaas/listeners", "listeners"),
            "pools" => ("/v2/lbaas/pools", "pools"),
            "members" => ($"/v2/lbaas/pools/{await tree.PoolAsync()}/members", "members"),
            "healthmonitors" => ("/v2/lbaas/healthmonitors", "healthmonitors"),
            "l7policies" => ("/v2/lbaas/l7policies", "l7policies"),
            "rules" => ($"/v2/lbaas/l7policies/{await tree.PolicyAsync()}/rules", "rules"),
            "amphorae" => ("/v2/octavia/amphorae", "amphorae"),
            _ => ("/v2/lbaas/quotas", "quotas"),
        };
        var (one, id) = collection switch
        {
            "loadbalancers" => ($"{path}/{lb}", lb),
            "listeners" => ($"{path}/{await tree.ListenerAsync()}", await tree.ListenerAsync()),
            "pools" => ($"{path}/{await tree.PoolAsync()}", await tree.PoolAsync()),
            "members" => await MemberAsync(tree, path),
            "healthmonitors" => await MonitorAsync(tree),
            "l7policies" => ($"{path}/{await tree.PolicyAsync()}", await tree.PolicyAsync()),
            "rules" => await RuleAsync(tree, path),
            "amphorae" => await AmphoraAsync(lb),
            _ => await QuotaAsync(tree),
        };

        var shown = (await Client.ApiGetAsync(one)).Json.AsObject().Single().Value!;
        // The parent ids the model has but the object does not show: the parent's own id.
        var parents = new Dictionary<string, string> { ["lb"] = lb };
        if (collection is "pools" or "members" or "healthmonitors")
        {
            parents["pool"] = await tree.PoolAsync();
        }

        if (collection == "rules")
        {
            parents["policy"] = await tree.PolicyAsync();
        }

        return new Subject(path, listKey, collection == "quotas" ? "project_id" : "id", id, shown, parents);
    }

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task EveryModelAttribute_FiltersItsCollection(string collection, string key, string shownAs)
    {
        var subject = await Subjects.GetOrAdd((fixture, collection), _ => SubjectAsync(collection));
        string? value = (collection, key) switch
        {
            ("pools" or "listeners", "loadbalancer_id" or "load_balancer_id") => subject.ParentIds["lb"],
            ("members" or "healthmonitors", "pool_id") => subject.ParentIds["pool"],
            ("rules", "l7policy_id") => subject.ParentIds["policy"],
            _ => subject.Shown[shownAs] is JsonValue v ? v.ToJsonString().Trim('"') : null,
        };

        // An attribute without a value here is still a valid filter: any value of its type is asked for.
        var asked = value ?? (key is "created_at" or "updated_at" or "cert_expiration" ? "2020-01-01T00:00:00" : "1");
        var response = await Client.ApiGetAsync($"{subject.Path}?{key}={Uri.EscapeDataString(asked)}");
        Assert.True(response.Status == HttpStatusCode.OK, $"?{key}={value}: {response.Raw}");
        if (value is not null && key is not ("created_at" or "updated_at" or "cert_expiration"))
        {
            Assert.Contains(subject.Id, response.Json[subject.ListKey]!.AsArray().Select(o => o![subject.IdKey]!.GetValue<string>()));
        }
    }

    private async Task<(string, string)> MemberAsync(Tree tree, string path)
    {
        var id = await Client.CreateChildAsync(path, "member", """{"member": {"name": "m", "address": "192.0.2.20", "protocol_port": 80, "monitor_port": 81}}""",
            await tree.LoadBalancerAsync());
        return ($"{path}/{id}", id);
    }

    private async Task<(string, string)> MonitorAsync(Tree tree)
    {
        var id = await Client.CreateChildAsync("/v2/lbaas/healthmonitors", "healthmonitor",
            $$$"""{"healthmonitor": {"name": "hm", "pool_id": "{{{await tree.PoolAsync()}}}", "type": "HTTP", "delay": 5, "timeout": 3, "max_retries": 3}}""",
            await tree.LoadBalancerAsync());
        return ($"/v2/lbaas/healthmonitors/{id}", id);
    }

    private async Task<(string, string)> RuleAsync(Tree tree, string path)
    {
        var id = await Client.CreateChildAsync(path, "rule", """{"rule": {"type": "HEADER", "key": "X-Test", "compare_type": "EQUAL_TO", "value": "a"}}""",
            await tree.LoadBalancerAsync());
        return ($"{path}/{id}", id);
    }

    private async Task<(string, string)> AmphoraAsync(string lb)
    {
        var id = Assert.Single((await Client.ApiGetAsync($"/v2/octavia/amphorae?loadbalancer_id={lb}")).Json["amphorae"]!.AsArray())!["id"]!.GetValue<string>();
        return ($"/v2/octavia/amphorae/{id}", id);
    }

    private async Task<(string, string)> QuotaAsync(Tree tree)
    {
        var put = await Client.ApiPutAsync($"/v2/lbaas/quotas/{tree.Project}",
            """{"quota": {"loadbalancer": 21, "listener": 22, "pool": 23, "member": 24, "healthmonitor": 25, "l7policy": 26, "l7rule": 27}}""");
        Assert.Equal(HttpStatusCode.Accepted, put.Status);
        return ($"/v2/lbaas/quotas/{tree.Project}", tree.Project);
    }

    [Fact]
    public async Task UnknownFilter_IsStillRefused()
    {
        var response = await Client.ApiGetAsync("/v2/lbaas/listeners?bogus=1");
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("One or more arguments are either duplicate or invalid", response.Fault);
    }

    [Fact]
    public async Task RulesOfAPolicy_FilteredByTheirPolicy_AsOpenStackSdkAsks()
    {
        var tree = new Tree(fixture);
        await tree.PoolAsync();
        var policy = await tree.PolicyAsync();
        var (_, rule) = await RuleAsync(tree, $"/v2/lbaas/l7policies/{policy}/rules");

        var response = await Client.ApiGetAsync($"/v2/lbaas/l7policies/{policy}/rules?l7policy_id={policy}");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(rule, Assert.Single(response.Json["rules"]!.AsArray())!["id"]!.GetValue<string>());
        var other = await Client.ApiGetAsync($"/v2/lbaas/l7policies/{policy}/rules?l7policy_id={Guid.NewGuid()}");
        Assert.Empty(other.Json["rules"]!.AsArray());
        var pools = await Client.ApiGetAsync($"/v2/lbaas/pools?loadbalancer_id={await tree.LoadBalancerAsync()}");
        Assert.Single(pools.Json["pools"]!.AsArray());
    }
}

public sealed class WireCompatibilitySqliteTests(SqliteFixture fixture) : WireCompatibilityTests(fixture), IClassFixture<SqliteFixture>;

public sealed class WireCompatibilityPostgresTests(PostgresFixture fixture) : WireCompatibilityTests(fixture), IClassFixture<PostgresFixture>;
