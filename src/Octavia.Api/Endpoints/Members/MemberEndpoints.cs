using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Octavia.Api.Faults;
using Octavia.Api.Hosting;
using Octavia.Api.Json;
using Octavia.Api.Paging;
using Octavia.Core.Configuration;
using Octavia.Core.Drivers;
using Octavia.Core.Jobs;
using Octavia.Core.Model;
using Octavia.Core.Statuses;
using Octavia.Db;

namespace Octavia.Api.Endpoints.Members;

/// <summary><c>/v2/lbaas/pools/{pool_id}/members</c> (reference/api.md §9, §9.1).</summary>
public static class MemberEndpoints
{
    internal static readonly ResourceAttributes<Member> Attributes = new(new Dictionary<string, string>
    {
        ["id"] = "Id",
        ["name"] = "Name",
        ["operating_status"] = "OperatingStatus",
        ["provisioning_status"] = "ProvisioningStatus",
        ["admin_state_up"] = "Enabled",
        ["address"] = "Address",
        ["protocol_port"] = "ProtocolPort",
        ["weight"] = "Weight",
        ["backup"] = "Backup",
        ["subnet_id"] = "SubnetId",
        ["project_id"] = "ProjectId",
        ["tenant_id"] = "ProjectId",
        ["created_at"] = "CreatedAt",
        ["updated_at"] = "UpdatedAt",
        ["monitor_address"] = "MonitorAddress",
        ["monitor_port"] = "MonitorPort",
        ["vnic_type"] = "VnicType",
        // Upstream accepts every attribute of its data model as a filter: parent ids and model names too.
        ["pool_id"] = "PoolId",
        ["ip_address"] = "Address",
        ["enabled"] = "Enabled",
    });

    private static readonly HashSet<string> BatchEnvelope = ["members"];

    public static void Map(IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/v2/lbaas/pools/{pool_id}/members");
        group.MapGet("", ListAsync);
        group.MapPost("", CreateAsync);
        group.MapPut("", BatchUpdateAsync);
        group.MapGet("/{id}", GetAsync);
        group.MapPut("/{id}", UpdateAsync);
        group.MapDelete("/{id}", DeleteAsync);
    }

    private static async Task<Pool> FindPoolAsync(OctaviaDbContext db, string poolId, CancellationToken cancellationToken) =>
        await db.Pools.FirstOrDefaultAsync(p => p.Id == poolId, cancellationToken) ?? throw ApiException.NotFound("Pool", poolId);

    /// <summary>
    /// The member <paramref name="id"/> of the pool, in upstream's order: the pool must exist (404), then the member
    /// (404, whoever owns the pool), then the policy's <c>member:&lt;action&gt;</c> is checked on the member's project
    /// (403), and last a member of another pool is not found through this one (404, upstream's <c>_validate_pool_id</c>).
    /// </summary>
    private static async Task<Member> FindAsync(HttpContext http, string action, OctaviaDbContext db, string poolId, string id, CancellationToken cancellationToken)
    {
        await FindPoolAsync(db, poolId, cancellationToken);
        var member = await db.Members.FirstOrDefaultAsync(m => m.Id == id, cancellationToken) ?? throw ApiException.NotFound("Member", id);
        ApiRequest.Authorize(http, action, member.ProjectId);
        return member.PoolId == poolId ? member : throw ApiException.NotFound("Member", id);
    }

    private static async Task<IResult> ListAsync(string pool_id, HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        ApiRequest.Authorize(http, "member:get_all", (await FindPoolAsync(db, pool_id, cancellationToken)).ProjectId);
        var source = db.Members.Where(m => m.PoolId == pool_id);
        var page = await Listing.FetchAsync(http, source, Attributes, id => source.Where(m => m.Id == id), cancellationToken);
        return Listing.Respond(http, page, "members", "members_links", x => x.Id, (w, member, fields) => MemberJson.Write(w, member, fields));
    }

    private static async Task<IResult> GetAsync(string pool_id, string id, HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        var member = await FindAsync(http, "member:get_one", db, pool_id, id, cancellationToken);
        var fields = ListQuery.ParseFields(http.Request.Query, ApiRequest.Settings(http));
        return JsonResult.Single(200, "member", w => MemberJson.Write(w, member, fields));
    }

    /// <summary>
    /// Locks what a member change touches, in a fixed order (load balancer, then pool) so concurrent
    /// requests cannot deadlock: LB and pool to PENDING_UPDATE, and every listener using the pool.
    /// </summary>
    private static async Task LockParentsAsync(WriteScope s, Pool pool, CancellationToken cancellationToken)
    {
        await s.LockLoadBalancerForChildAsync(pool.LoadBalancerId, cancellationToken);
        await s.LockPoolAsync(pool.Id, ProvisioningStatus.PendingUpdate, cancellationToken);
        await s.MarkListenersPendingUpdateAsync(await s.ListenersOfPoolAsync(pool.Id, cancellationToken), cancellationToken);
    }

    private static async Task<IResult> CreateAsync(string pool_id, HttpContext http, WriteScope scope, INetworkDriver network,
        IOptions<NetworkingOptions> networking, CancellationToken cancellationToken)
    {
        var context = ApiRequest.Context(http);
        var body = JsonBody.Parse(await ApiRequest.ReadBodyAsync(http), "member", MemberRequests.PostAttributes);
        var member = MemberRequests.ParsePost(body, networking.Value, scope.Now);

        var pool = await FindPoolAsync(scope.Db, pool_id, cancellationToken);
        ApiRequest.Authorize(http, "member:post", pool.ProjectId);
        var lb = await scope.Db.LoadBalancers.FirstAsync(l => l.Id == pool.LoadBalancerId, cancellationToken);
        if (member.VnicType == "direct" && !await AllowsMemberSriovAsync(scope.Db, lb.FlavorId, cancellationToken))
        {
            throw SriovDisabled();
        }

        if (member.SubnetId is not null)
        {
            await CheckSubnetAsync(network, member.SubnetId, [member.Address], cancellationToken);
        }

        member.ProjectId = lb.ProjectId;
        member.PoolId = pool.Id;
        await scope.RunAsync(async s =>
        {
            await s.CheckQuotaAsync(context, member.ProjectId, QuotaResource.Member, 1, cancellationToken);
            await LockParentsAsync(s, pool, cancellationToken);
            await CheckUniqueAsync(s.Db, pool.Id, member.Address, member.ProtocolPort, cancellationToken);
            member.OperatingStatus = await s.Db.HealthMonitors.AnyAsync(h => h.PoolId == pool.Id, cancellationToken)
                ? OperatingStatus.Offline
                : OperatingStatus.NoMonitor;
            s.Db.Members.Add(member);
            s.AddJob(JobKinds.MemberCreate, new FlowState { LoadBalancerId = pool.LoadBalancerId, PoolId = pool.Id, MemberId = member.Id });
            return true;
        }, cancellationToken);
        return JsonResult.Single(201, "member", w => MemberJson.Write(w, member, FieldSet.All));
    }

    /// <summary>
    /// The member subnet exists and, when the network driver knows its IP version, is of the members'
    /// family: the amphora's port on it could reach no address of the other (docs/decisions.md).
    /// </summary>
    private static async Task CheckSubnetAsync(INetworkDriver network, string subnetId, IEnumerable<string> addresses, CancellationToken cancellationToken)
    {
        if (!await network.SubnetExistsAsync(subnetId, cancellationToken))
        {
            throw ApiException.BadRequest($"Subnet {subnetId} not found.");
        }

        if (await network.SubnetIpVersionAsync(subnetId, cancellationToken) is not { } version)
        {
            return;
        }

        foreach (var address in addresses)
        {
            var family = System.Net.IPAddress.Parse(address).AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 6 : 4;
            if (family != version)
            {
                throw ApiException.ValidationFailure($"Member address {address} is an IPv{family} address but subnet {subnetId} is an IPv{version} subnet.");
            }
        }
    }

    private static async Task CheckUniqueAsync(OctaviaDbContext db, string poolId, string address, int port, CancellationToken cancellationToken)
    {
        // Addresses are stored as sent, so another spelling of the same address is a duplicate too.
        var taken = await db.Members.Where(m => m.PoolId == poolId && m.ProtocolPort == port).Select(m => m.Address).ToListAsync(cancellationToken);
        if (taken.Any(t => WireValues.SameAddress(t, address)))
        {
            throw DuplicateMember(address, port);
        }
    }

    internal static ApiException DuplicateMember(string address, int port) =>
        ApiException.Conflict($"Another member on this pool is already using ip {address} on protocol_port {port}");

    internal static ApiException SriovDisabled() => ApiException.BadRequest("The load balancer flavor does not allow SR-IOV member ports.");

    /// <summary>Whether the load balancer's flavor sets <c>allow_member_sriov: true</c> (reference/api.md §13.1).</summary>
    internal static async Task<bool> AllowsMemberSriovAsync(OctaviaDbContext db, string? flavorId, CancellationToken cancellationToken)
    {
        if (flavorId is null)
        {
            return false;
        }

        var data = await db.Flavors.Where(f => f.Id == flavorId)
            .Join(db.FlavorProfiles, f => f.FlavorProfileId, p => p.Id, (f, p) => p.FlavorData)
            .FirstOrDefaultAsync(cancellationToken);
        if (data is null)
        {
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(data);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("allow_member_sriov", out var allow) && allow.ValueKind == JsonValueKind.True;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static async Task<IResult> UpdateAsync(string pool_id, string id, HttpContext http, WriteScope scope, CancellationToken cancellationToken)
    {
        var body = JsonBody.Parse(await ApiRequest.ReadBodyAsync(http), "member", MemberRequests.PutAttributes);
        var name = body.String("name");
        var adminStateUp = body.Bool("admin_state_up");
        var weight = body.Int("weight", MemberRequests.MinWeight, MemberRequests.MaxWeight);
        var backup = body.Bool("backup");
        var monitorPort = body.Int("monitor_port", 1, 65535);
        var monitorAddress = body.IpAddress("monitor_address");
        var tags = body.Tags();

        var existing = await FindAsync(http, "member:put", scope.Db, pool_id, id, cancellationToken);
        var pool = await FindPoolAsync(scope.Db, pool_id, cancellationToken);
        var member = await scope.RunAsync(async s =>
        {
            await LockParentsAsync(s, pool, cancellationToken);
            var m = await s.Db.Members.AsTracking().FirstAsync(x => x.Id == existing.Id, cancellationToken);
            if (name.Present)
            {
                m.Name = name.Value ?? "";
            }

            if (adminStateUp.Present)
            {
                m.Enabled = adminStateUp.Value ?? false;
            }

            // null resets to the POST defaults (upstream's _set_default_on_none).
            if (weight.Present)
            {
                m.Weight = weight.Value ?? 1;
            }

            if (backup.Present)
            {
                m.Backup = backup.Value ?? false;
            }

            if (monitorPort.Present)
            {
                m.MonitorPort = monitorPort.Value;
            }

            if (monitorAddress.Present)
            {
                m.MonitorAddress = monitorAddress.Value;
            }

            if (tags.Present)
            {
                m.Tags = tags.Value ?? [];
            }

            m.ProvisioningStatus = ProvisioningStatus.PendingUpdate;
            m.UpdatedAt = s.Now;
            s.AddJob(JobKinds.MemberUpdate, new FlowState { LoadBalancerId = pool.LoadBalancerId, PoolId = pool.Id, MemberId = m.Id });
            return m;
        }, cancellationToken);
        return JsonResult.Single(200, "member", w => MemberJson.Write(w, member, FieldSet.All));
    }

    private static async Task<IResult> DeleteAsync(string pool_id, string id, HttpContext http, WriteScope scope, CancellationToken cancellationToken)
    {
        var member = await FindAsync(http, "member:delete", scope.Db, pool_id, id, cancellationToken);
        var pool = await FindPoolAsync(scope.Db, pool_id, cancellationToken);
        await scope.RunAsync(async s =>
        {
            await LockParentsAsync(s, pool, cancellationToken);
            await s.Db.Members.Where(m => m.Id == member.Id)
                .ExecuteUpdateAsync(x => x.SetProperty(m => m.ProvisioningStatus, ProvisioningStatus.PendingDelete).SetProperty(m => m.UpdatedAt, s.Now), cancellationToken);
            s.AddJob(JobKinds.MemberDelete, new FlowState { LoadBalancerId = pool.LoadBalancerId, PoolId = pool.Id, MemberId = member.Id });
            return true;
        }, cancellationToken);
        return Results.StatusCode(204);
    }

    /// <summary>
    /// The batch update (reference/api.md §9.1): the request is the pool's wanted member set, matched on
    /// (address, protocol_port). Answers 202 with no body.
    /// </summary>
    private static async Task<IResult> BatchUpdateAsync(string pool_id, HttpContext http, WriteScope scope, INetworkDriver network,
        IOptions<NetworkingOptions> networking, CancellationToken cancellationToken)
    {
        var context = ApiRequest.Context(http);
        var additiveOnly = ParseBool(http.Request.Query["additive_only"].ToString(), "additive_only");
        var requested = ParseBatch(await ApiRequest.ReadBodyAsync(http), networking.Value, scope.Now);

        var pool = await FindPoolAsync(scope.Db, pool_id, cancellationToken);

        // A batch may create, change and delete members: upstream asks for all three rights (delete only when it may delete).
        foreach (var action in additiveOnly ? ["member:post", "member:put"] : new[] { "member:post", "member:put", "member:delete" })
        {
            ApiRequest.Authorize(http, action, pool.ProjectId);
        }

        var lb = await scope.Db.LoadBalancers.FirstAsync(l => l.Id == pool.LoadBalancerId, cancellationToken);

        // Every wanted member is either new or an update, so only an empty request can change nothing:
        // upstream then answers 202 without touching anything (after its status checks).
        if (requested.Count == 0 && (additiveOnly || !await scope.Db.Members.AnyAsync(m => m.PoolId == pool.Id, cancellationToken)))
        {
            if (lb.ProvisioningStatus != ProvisioningStatus.Active)
            {
                throw ApiException.Immutable("Load Balancer", lb.Id);
            }

            return pool.ProvisioningStatus == ProvisioningStatus.Active ? Results.StatusCode(202) : throw ApiException.Immutable("Pool", pool.Id);
        }

        await scope.RunAsync(async s =>
        {
            // Locks first, then the members are read: the set cannot change under us.
            await s.LockLoadBalancerForChildAsync(pool.LoadBalancerId, cancellationToken);
            await s.LockPoolAsync(pool.Id, ProvisioningStatus.PendingUpdate, cancellationToken);
            var old = await s.Db.Members.AsTracking().Where(m => m.PoolId == pool.Id).ToListAsync(cancellationToken);
            var oldByKey = old.ToDictionary(m => (WireValues.CanonicalAddress(m.Address), m.ProtocolPort));
            var wantedKeys = requested.Select(r => (WireValues.CanonicalAddress(r.Member.Address), r.Member.ProtocolPort)).ToHashSet();

            var created = new List<Member>();
            var updated = new List<(Member Old, Member Wanted, JsonBody Body)>();
            var seen = new HashSet<(string, int)>();
            foreach (var (wanted, body) in requested)
            {
                var key = (WireValues.CanonicalAddress(wanted.Address), wanted.ProtocolPort);
                var isNew = !oldByKey.TryGetValue(key, out var existing);
                if (!seen.Add(key))
                {
                    // Upstream refuses an existing member twice; a new one twice trips the unique key.
                    throw isNew
                        ? DuplicateMember(wanted.Address, wanted.ProtocolPort)
                        : ApiException.ValidationFailure("Member must be updated only once in the same request.");
                }

                if (isNew)
                {
                    created.Add(wanted);
                }
                else
                {
                    updated.Add((existing!, wanted, body));
                }
            }

            var deleted = additiveOnly ? new List<Member>() : old.Where(m => !wantedKeys.Contains((WireValues.CanonicalAddress(m.Address), m.ProtocolPort))).ToList();
            await s.CheckQuotaAsync(context, lb.ProjectId, QuotaResource.Member, created.Count - deleted.Count, cancellationToken);

            var hasMonitor = await s.Db.HealthMonitors.AnyAsync(h => h.PoolId == pool.Id, cancellationToken);
            if (created.Any(m => m.VnicType == "direct") && !await AllowsMemberSriovAsync(s.Db, lb.FlavorId, cancellationToken))
            {
                throw SriovDisabled();
            }

            foreach (var subnet in created.Where(m => m.SubnetId is not null).GroupBy(m => m.SubnetId!))
            {
                await CheckSubnetAsync(network, subnet.Key, subnet.Select(m => m.Address), cancellationToken);
            }

            foreach (var m in created)
            {
                m.ProjectId = lb.ProjectId;
                m.PoolId = pool.Id;
                m.OperatingStatus = hasMonitor ? OperatingStatus.Offline : OperatingStatus.NoMonitor;
                s.Db.Members.Add(m);
            }

            foreach (var (existing, wanted, body) in updated)
            {
                // Each element is a member POST, so its defaults apply; name and tags change only when given.
                // subnet_id and vnic_type (request_sriov) cannot change on an existing member.
                if (body.Has("name"))
                {
                    existing.Name = wanted.Name;
                }

                if (body.Has("tags"))
                {
                    existing.Tags = wanted.Tags;
                }

                existing.Enabled = wanted.Enabled;
                existing.Weight = wanted.Weight;
                existing.Backup = wanted.Backup;
                existing.MonitorAddress = wanted.MonitorAddress;
                existing.MonitorPort = wanted.MonitorPort;
                existing.ProvisioningStatus = ProvisioningStatus.PendingUpdate;
                existing.UpdatedAt = s.Now;
            }

            foreach (var m in deleted)
            {
                m.ProvisioningStatus = ProvisioningStatus.PendingDelete;
                m.UpdatedAt = s.Now;
            }

            await s.MarkListenersPendingUpdateAsync(await s.ListenersOfPoolAsync(pool.Id, cancellationToken), cancellationToken);
            s.AddJob(JobKinds.MemberBatch, new FlowState
            {
                LoadBalancerId = pool.LoadBalancerId,
                PoolId = pool.Id,
                CreatedMemberIds = created.Select(m => m.Id).ToList(),
                UpdatedMemberIds = updated.Select(u => u.Old.Id).ToList(),
                DeletedMemberIds = deleted.Select(m => m.Id).ToList(),
            });
            return true;
        }, cancellationToken);
        return Results.StatusCode(202);
    }

    private static List<(Member Member, JsonBody Body)> ParseBatch(ReadOnlyMemory<byte> raw, NetworkingOptions networking, DateTime now)
    {
        var root = JsonBody.ParseDocument(raw);
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw ApiException.BadRequest("Invalid input: the request body must be a JSON object.");
        }

        var envelope = JsonBody.FromElement(root, "members", BatchEnvelope);
        var items = JsonBody.Required("members", envelope.ObjectList("members", MemberRequests.PostAttributes));
        return items.Select(item => (MemberRequests.ParsePost(item, networking, now), item)).ToList();
    }

    private static bool ParseBool(string text, string name) => text.ToLowerInvariant() switch
    {
        "" or "false" or "0" or "no" or "off" or "f" or "n" => false,
        "true" or "1" or "yes" or "on" or "t" or "y" => true,
        _ => throw ApiException.InvalidInput(name, text, "Value should be boolean."),
    };
}
