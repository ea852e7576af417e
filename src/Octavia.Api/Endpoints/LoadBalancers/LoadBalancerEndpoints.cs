using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Octavia.Api.Faults;
using Octavia.Api.Hosting;
using Octavia.Api.Json;
using Octavia.Api.Paging;
using Octavia.Core.Drivers;
using Octavia.Core.Jobs;
using Octavia.Core.Model;
using Octavia.Core.Statuses;
using Octavia.Db;

namespace Octavia.Api.Endpoints.LoadBalancers;

/// <summary><c>/v2/lbaas/loadbalancers</c> (reference/api.md §6).</summary>
public static class LoadBalancerEndpoints
{
    private static readonly HashSet<string> PostAttributes =
    [
        "name", "description", "admin_state_up", "project_id", "tenant_id", "vip_address", "vip_port_id", "vip_subnet_id",
        "vip_network_id", "vip_qos_policy_id", "vip_sg_ids", "additional_vips", "listeners", "pools", "provider", "flavor_id",
        "availability_zone", "tags",
    ];

    private static readonly HashSet<string> PutAttributes = ["name", "description", "admin_state_up", "vip_qos_policy_id", "vip_sg_ids", "tags"];

    private static readonly HashSet<string> AdditionalVipAttributes = ["subnet_id", "ip_address"];

    internal static readonly ResourceAttributes<LoadBalancer> Attributes = new(new Dictionary<string, string>
    {
        ["id"] = "Id",
        ["name"] = "Name",
        ["description"] = "Description",
        ["provisioning_status"] = "ProvisioningStatus",
        ["operating_status"] = "OperatingStatus",
        ["admin_state_up"] = "Enabled",
        ["project_id"] = "ProjectId",
        ["tenant_id"] = "ProjectId",
        ["created_at"] = "CreatedAt",
        ["updated_at"] = "UpdatedAt",
        ["vip_address"] = "VipAddress",
        ["vip_port_id"] = "VipPortId",
        ["vip_subnet_id"] = "VipSubnetId",
        ["vip_network_id"] = "VipNetworkId",
        ["vip_qos_policy_id"] = "VipQosPolicyId",
        ["provider"] = "Provider",
        ["flavor_id"] = "FlavorId",
        ["availability_zone"] = "AvailabilityZone",
        ["vip_vnic_type"] = "VipVnicType",
        // Upstream accepts every attribute of its data model as a filter: parent ids and model names too.
        ["enabled"] = "Enabled",
        ["topology"] = "Topology",
    });

    public static void Map(IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/v2/lbaas/loadbalancers");
        group.MapGet("", ListAsync);
        group.MapPost("", CreateAsync);
        group.MapGet("/{id}", GetAsync);
        group.MapPut("/{id}", UpdateAsync);
        group.MapDelete("/{id}", DeleteAsync);
        group.MapGet("/{id}/stats", StatsAsync);
        group.MapGet("/{id}/status", StatusAsync);
        group.MapGet("/{id}/statuses", StatusAsync);
        group.MapPut("/{id}/failover", FailoverAsync);
    }

    private sealed record Row(LoadBalancer Lb, List<string> ListenerIds, List<string> PoolIds);

    private sealed record JoinedRow(LoadBalancer Lb, string? ListenerIds, string? PoolIds);

    private static string[] SplitIds(string? joined) =>
        string.IsNullOrEmpty(joined) ? [] : joined.Split(',');

    /// <summary>
    /// GET one is the hottest read: a compiled query, one round trip with the child ids. A compiled query
    /// belongs to one model, so there is one per context type (SQLite, PostgreSQL).
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, Func<OctaviaDbContext, string, Task<Row?>>> GetOneQueries = new();

    private static Func<OctaviaDbContext, string, Task<Row?>> GetOneQuery(OctaviaDbContext db) =>
        GetOneQueries.GetOrAdd(db.GetType(), _ => EF.CompileAsyncQuery(
            (OctaviaDbContext context, string id) => context.LoadBalancers
                .Where(lb => lb.Id == id && lb.ProvisioningStatus != ProvisioningStatus.Deleted)
                .Select(lb => new Row(lb, lb.Listeners.Select(l => l.Id).ToList(), lb.Pools.Select(p => p.Id).ToList()))
                .FirstOrDefault()));

    internal static IQueryable<LoadBalancer> Visible(OctaviaDbContext db) =>
        db.LoadBalancers.Where(lb => lb.ProvisioningStatus != ProvisioningStatus.Deleted);

    internal static async Task<LoadBalancer> FindAsync(OctaviaDbContext db, string id, CancellationToken cancellationToken) =>
        await Visible(db).FirstOrDefaultAsync(lb => lb.Id == id, cancellationToken) ?? throw ApiException.NotFound("Load Balancer", id);

    private static async Task<IResult> ListAsync(HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        var source = ApiRequest.Listable(http, "loadbalancer", Visible(db), lb => lb.ProjectId);

        // The child ids come in the same statement, as comma-joined scalar subqueries (group_concat /
        // string_agg): one round trip, no row multiplication.
        var page = await Listing.FetchAsync(http, source, Attributes, id => source.Where(lb => lb.Id == id),
            lb => new JoinedRow(lb, string.Join(",", lb.Listeners.Select(l => l.Id)), string.Join(",", lb.Pools.Select(p => p.Id))),
            cancellationToken);
        return Listing.Respond(http, page, "loadbalancers", "loadbalancers_links", x => x.Lb.Id, (w, row, fields) => LoadBalancerJson.Write(w, row.Lb, SplitIds(row.ListenerIds), SplitIds(row.PoolIds), fields));
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        var row = await GetOneQuery(db)(db, id) ?? throw ApiException.NotFound("Load Balancer", id);
        ApiRequest.Authorize(http, "loadbalancer:get_one", row.Lb.ProjectId);
        var fields = ListQuery.ParseFields(http.Request.Query, ApiRequest.Settings(http));
        return JsonResult.Single(200, "loadbalancer", w => LoadBalancerJson.Write(w, row.Lb, row.ListenerIds, row.PoolIds, fields));
    }

    private static async Task<IResult> CreateAsync(HttpContext http, WriteScope scope, INetworkDriver network, CancellationToken cancellationToken)
    {
        var settings = ApiRequest.Settings(http);
        var context = ApiRequest.Context(http);
        var body = JsonBody.Parse(await ApiRequest.ReadBodyAsync(http), "loadbalancer", PostAttributes);
        var networking = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Core.Configuration.NetworkingOptions>>().Value;

        var name = body.String("name").Value;
        var description = body.String("description").Value;
        var adminStateUp = body.Bool("admin_state_up");
        var projectId = body.String("project_id", 36).Value ?? body.String("tenant_id", 36).Value;
        var vipAddress = body.IpAddress("vip_address").Value;
        var vipPortId = body.Uuid("vip_port_id").Value;
        var vipSubnetId = body.Uuid("vip_subnet_id").Value;
        var vipNetworkId = body.Uuid("vip_network_id").Value;
        var vipQos = body.Uuid("vip_qos_policy_id").Value;
        var vipSgIds = body.StringList("vip_sg_ids").Value;
        var provider = body.String("provider", 64).Value;
        var flavorId = body.Uuid("flavor_id").Value;
        var availabilityZone = body.String("availability_zone").Value;
        var tags = body.Tags().Value ?? [];
        var additional = body.ObjectList("additional_vips", AdditionalVipAttributes).Value ?? [];

        // Upstream's order: the project, then the policy, before anything about the VIP is looked at.
        var owner = context.ResolveProject(projectId);
        ApiRequest.Authorize(http, "loadbalancer:post", owner);
        if (vipSgIds is not null)
        {
            ApiRequest.Authorize(http, "loadbalancer:post:vip_sg_ids", owner);
        }

        foreach (var sg in vipSgIds ?? [])
        {
            if (!JsonBody.IsUuid(sg))
            {
                throw ApiException.InvalidInput("vip_sg_ids", sg, "Value should be UUID format");
            }
        }

        if (vipPortId is null && vipNetworkId is null && vipSubnetId is null)
        {
            throw ApiException.ValidationFailure("VIP must contain one of: vip_port_id, vip_network_id, vip_subnet_id.");
        }

        if ((vipPortId is not null && !networking.AllowVipPortId) || (vipNetworkId is not null && !networking.AllowVipNetworkId)
            || (vipSubnetId is not null && !networking.AllowVipSubnetId))
        {
            var option = vipPortId is not null && !networking.AllowVipPortId ? "vip_port_id"
                : vipNetworkId is not null && !networking.AllowVipNetworkId ? "vip_network_id" : "vip_subnet_id";
            throw ApiException.ValidationFailure($"The selected {option} is not allowed in this deployment.");
        }

        if (vipNetworkId is not null)
        {
            var valid = Core.Configuration.ApiSettingsOptions.SplitList(networking.ValidVipNetworks);
            if ((valid.Count > 0 && !valid.Contains(vipNetworkId)) || Core.Configuration.ApiSettingsOptions.SplitList(networking.DenylistVipNetworks).Contains(vipNetworkId))
            {
                throw ApiException.ValidationFailure($"Supplied VIP network_id is not allowed: {vipNetworkId}");
            }
        }

        var additionalVips = new List<AdditionalVip>();
        foreach (var item in additional)
        {
            var subnet = JsonBody.Required("subnet_id", item.Uuid("subnet_id"));
            if (additionalVips.Any(v => v.SubnetId == subnet))
            {
                throw ApiException.ValidationFailure("Duplicate VIP subnet(s) specified. Only one IP can be bound per subnet.");
            }

            additionalVips.Add(new AdditionalVip { SubnetId = subnet, IpAddress = item.IpAddress("ip_address").Value });
        }

        var lb = new LoadBalancer
        {
            Id = WriteScope.NewId(),
            ProjectId = owner,
            Name = name ?? "",
            Description = description ?? "",
            Enabled = adminStateUp.Present ? adminStateUp.Value ?? false : true,
            ProvisioningStatus = ProvisioningStatus.PendingCreate,
            OperatingStatus = OperatingStatus.Offline,
            Provider = "",
            VipQosPolicyId = vipQos,
            VipSgIds = vipSgIds ?? [],
            AvailabilityZone = availabilityZone,
            Tags = tags,
            CreatedAt = scope.Now,
        };

        await ApplyFlavorAndZoneAsync(scope.Db, settings, lb, provider, flavorId, availabilityZone, cancellationToken);

        if (vipSubnetId is not null && !await network.SubnetExistsAsync(vipSubnetId, cancellationToken))
        {
            throw ApiException.BadRequest($"Subnet {vipSubnetId} not found.");
        }

        VipAllocation vip;
        try
        {
            vip = await network.AllocateVipAsync(new VipRequest(lb.Id, lb.ProjectId, vipSubnetId, vipNetworkId, vipPortId, vipAddress), cancellationToken);
        }
        catch (NetworkDriverException e)
        {
            throw ApiException.BadRequest(e.Message);
        }

        lb.VipPortId = vip.PortId;
        lb.VipSubnetId = vip.SubnetId;
        lb.VipNetworkId = vip.NetworkId;
        // The address as the caller wrote it, when it is the one the driver gave (upstream keeps the request's string).
        lb.VipAddress = WireValues.SameAddress(vipAddress, vip.Address) ? vipAddress : vip.Address;
        foreach (var extra in additionalVips)
        {
            extra.PortId = vip.PortId;
            extra.IpAddress ??= vip.Address;
        }

        lb.AdditionalVips = additionalVips;

        try
        {
            var writeGraph = await scope.RunAsync(async s =>
            {
                await s.CheckQuotaAsync(context, lb.ProjectId, QuotaResource.LoadBalancer, 1, cancellationToken);
                s.Db.LoadBalancers.Add(lb);
                Action<System.Text.Json.Utf8JsonWriter>? graph = null;
                if (body.Has("listeners") || body.Has("pools"))
                {
                    graph = await LoadBalancerGraph.CreateAsync(http, body, s, lb, context, cancellationToken);
                }

                s.AddJob(JobKinds.LoadBalancerCreate, new FlowState { LoadBalancerId = lb.Id });
                return graph;
            }, cancellationToken);

            return writeGraph is not null
                ? JsonResult.Single(201, "loadbalancer", writeGraph)
                : JsonResult.Single(201, "loadbalancer", w => LoadBalancerJson.Write(w, lb, [], [], FieldSet.All, childrenFirst: true));
        }
        catch
        {
            await network.DeallocateVipAsync(lb.Id, vipPortId is null ? lb.VipPortId : null, CancellationToken.None);
            throw;
        }
    }

    private static async Task ApplyFlavorAndZoneAsync(OctaviaDbContext db, Core.Configuration.ApiSettingsOptions settings, LoadBalancer lb,
        string? provider, string? flavorId, string? availabilityZone, CancellationToken cancellationToken)
    {
        string? flavorProvider = null;
        if (flavorId is not null)
        {
            if (flavorId == Constants.NilUuid)
            {
                throw ApiException.NotFound("Flavor", flavorId);
            }

            var flavor = await db.Flavors.FirstOrDefaultAsync(f => f.Id == flavorId, cancellationToken)
                ?? throw ApiException.ValidationFailure("Invalid flavor_id.");
            if (!flavor.Enabled)
            {
                throw ApiException.BadRequest($"The selected flavor is not allowed in this deployment: {flavorId}");
            }

            var profile = await db.FlavorProfiles.FirstOrDefaultAsync(p => p.Id == flavor.FlavorProfileId, cancellationToken);
            flavorProvider = profile?.ProviderName;
            if (profile is not null)
            {
                lb.Topology = ReadTopology(profile.FlavorData);
            }

            lb.FlavorId = flavorId;
        }

        if (provider is not null && flavorProvider is not null && provider != flavorProvider)
        {
            throw ApiException.BadRequest($"Flavor '{flavorId}' is not compatible with provider '{provider}'");
        }

        lb.Provider = Providers.Resolve(settings, provider ?? flavorProvider);

        if (availabilityZone is not null)
        {
            var zone = await db.AvailabilityZones.FirstOrDefaultAsync(z => z.Name == availabilityZone, cancellationToken)
                ?? throw ApiException.ValidationFailure("Invalid availability zone.");
            if (!zone.Enabled)
            {
                throw ApiException.BadRequest($"The selected availability_zone is not allowed in this deployment: {availabilityZone}");
            }
        }
    }

    private static string? ReadTopology(string flavorData)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(flavorData);
            return doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && doc.RootElement.TryGetProperty("loadbalancer_topology", out var t) && t.ValueKind == System.Text.Json.JsonValueKind.String
                ? t.GetString()
                : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext http, WriteScope scope, CancellationToken cancellationToken)
    {
        var body = JsonBody.Parse(await ApiRequest.ReadBodyAsync(http), "loadbalancer", PutAttributes);
        var name = body.String("name");
        var description = body.String("description");
        var adminStateUp = body.Bool("admin_state_up");
        var qos = body.Uuid("vip_qos_policy_id");
        var sgs = body.StringList("vip_sg_ids");
        var tags = body.Tags();
        foreach (var sg in sgs.Value ?? [])
        {
            if (!JsonBody.IsUuid(sg))
            {
                throw ApiException.InvalidInput("vip_sg_ids", sg, "Value should be UUID format");
            }
        }

        var owner = (await FindAsync(scope.Db, id, cancellationToken)).ProjectId;
        ApiRequest.Authorize(http, "loadbalancer:put", owner);
        if (sgs.Present)
        {
            ApiRequest.Authorize(http, "loadbalancer:put:vip_sg_ids", owner);
        }

        var row = await scope.RunAsync(async s =>
        {
            await s.LockLoadBalancerAsync(id, ProvisioningStatus.PendingUpdate, [ProvisioningStatus.Active], cancellationToken);
            var lb = await s.Db.LoadBalancers.AsTracking().FirstAsync(x => x.Id == id, cancellationToken);
            if (name.Present)
            {
                lb.Name = name.Value ?? "";
            }

            if (description.Present)
            {
                lb.Description = description.Value ?? "";
            }

            if (adminStateUp.Present)
            {
                lb.Enabled = adminStateUp.Value ?? false;
            }

            if (qos.Present)
            {
                lb.VipQosPolicyId = qos.Value;
            }

            if (sgs.Present)
            {
                lb.VipSgIds = sgs.Value ?? [];
            }

            if (tags.Present)
            {
                lb.Tags = tags.Value ?? [];
            }

            lb.UpdatedAt = s.Now;
            s.AddJob(JobKinds.LoadBalancerUpdate, new FlowState { LoadBalancerId = id });
            var listenerIds = await s.Db.Listeners.Where(l => l.LoadBalancerId == id).Select(l => l.Id).ToListAsync(cancellationToken);
            var poolIds = await s.Db.Pools.Where(p => p.LoadBalancerId == id).Select(p => p.Id).ToListAsync(cancellationToken);
            return new Row(lb, listenerIds, poolIds);
        }, cancellationToken);
        return JsonResult.Single(200, "loadbalancer", w => LoadBalancerJson.Write(w, row.Lb, row.ListenerIds, row.PoolIds, FieldSet.All));
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext http, WriteScope scope, CancellationToken cancellationToken)
    {
        var cascadeText = http.Request.Query["cascade"].ToString();
        var cascade = cascadeText.Equals("true", StringComparison.OrdinalIgnoreCase) || cascadeText == "1";
        ApiRequest.Authorize(http, "loadbalancer:delete", (await FindAsync(scope.Db, id, cancellationToken)).ProjectId);
        await scope.RunAsync(async s =>
        {
            await s.LockLoadBalancerAsync(id, ProvisioningStatus.PendingDelete, [ProvisioningStatus.Active, ProvisioningStatus.Error], cancellationToken);
            if (!cascade && (await s.Db.Listeners.AnyAsync(l => l.LoadBalancerId == id, cancellationToken)
                || await s.Db.Pools.AnyAsync(p => p.LoadBalancerId == id, cancellationToken)))
            {
                throw ApiException.ValidationFailure($"Cannot delete Load Balancer {id} - it has children");
            }

            s.AddJob(JobKinds.LoadBalancerDelete, new FlowState { LoadBalancerId = id, Cascade = cascade });
            return true;
        }, cancellationToken);
        return Results.StatusCode(204);
    }

    private static async Task<IResult> FailoverAsync(string id, HttpContext http, WriteScope scope, CancellationToken cancellationToken)
    {
        ApiRequest.Authorize(http, "loadbalancer:put_failover", (await FindAsync(scope.Db, id, cancellationToken)).ProjectId);
        await scope.RunAsync(async s =>
        {
            await s.LockLoadBalancerAsync(id, ProvisioningStatus.PendingUpdate, [ProvisioningStatus.Active, ProvisioningStatus.Error], cancellationToken);
            s.AddJob(JobKinds.LoadBalancerFailover, new FlowState { LoadBalancerId = id });
            return true;
        }, cancellationToken);
        return Results.StatusCode(202);
    }

    private static async Task<IResult> StatsAsync(string id, HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        ApiRequest.Authorize(http, "loadbalancer:get_stats", (await FindAsync(db, id, cancellationToken)).ProjectId);
        var listenerIds = await db.Listeners.Where(l => l.LoadBalancerId == id).Select(l => l.Id).ToListAsync(cancellationToken);
        var stats = await Statistics.SumAsync(db, listenerIds, cancellationToken);
        return JsonResult.Single(200, "stats", w => Statistics.Write(w, stats));
    }

    private static async Task<IResult> StatusAsync(string id, HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        var lb = await FindAsync(db, id, cancellationToken);
        ApiRequest.Authorize(http, "loadbalancer:get_status", lb.ProjectId);
        var tree = await StatusTree.BuildAsync(db, lb, cancellationToken);
        return new JsonResult(200, tree);
    }
}
