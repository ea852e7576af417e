using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Octavia.Api.Auth;
using Octavia.Api.Endpoints.HealthMonitors;
using Octavia.Api.Endpoints.L7Policies;
using Octavia.Api.Endpoints.L7Rules;
using Octavia.Api.Endpoints.Listeners;
using Octavia.Api.Endpoints.Members;
using Octavia.Api.Endpoints.Pools;
using Octavia.Api.Faults;
using Octavia.Api.Hosting;
using Octavia.Api.Json;
using Octavia.Core.Configuration;
using Octavia.Core.Model;
using Octavia.Core.Statuses;

namespace Octavia.Api.Endpoints.LoadBalancers;

/// <summary>
/// The single-call ("fully populated") load balancer create (reference/api.md §6.3): listeners with
/// their default pool and L7 policies, pools with their monitor and members, all in the load balancer's
/// transaction and its one create flow. A pool is defined once, with a name, and referenced elsewhere
/// by <c>{"name": …}</c>.
/// </summary>
internal static class LoadBalancerGraph
{
    private sealed class PoolNode(Pool pool, HealthMonitor? monitor, List<Member> members)
    {
        public Pool Pool { get; } = pool;
        public HealthMonitor? Monitor { get; } = monitor;
        public List<Member> Members { get; } = members;
        public List<string> ListenerIds { get; } = [];
    }

    private sealed record ListenerNode(Listener Listener, List<L7Policy> Policies);

    /// <summary>Validates and stores the graph; returns the writer of the 201 response body.</summary>
    public static async Task<Action<Utf8JsonWriter>> CreateAsync(HttpContext http, JsonBody body, WriteScope scope, LoadBalancer lb,
        RequestContext context, CancellationToken cancellationToken)
    {
        var services = http.RequestServices;
        var settings = services.GetRequiredService<IOptions<ApiSettingsOptions>>().Value;
        var haproxy = services.GetRequiredService<IOptions<HaproxyAmphoraOptions>>().Value;
        var networking = services.GetRequiredService<IOptions<NetworkingOptions>>().Value;
        var now = scope.Now;

        var listenerBodies = body.ObjectList("listeners", ListenerRequests.GraphAttributes).Value ?? [];
        var poolBodies = body.ObjectList("pools", PoolRequests.GraphAttributes).Value ?? [];
        var parsedListeners = listenerBodies.Select(b => ListenerRequests.ParseCreate(b, settings, haproxy)).ToList();

        // Every pool definition in the graph, wherever it appears; references are resolved afterwards.
        var pools = new Dictionary<string, PoolNode>(StringComparer.Ordinal);
        var order = new List<PoolNode>();
        void DefineIfFull(JsonBody? poolBody)
        {
            if (poolBody is null || IsReference(poolBody))
            {
                return;
            }

            var name = poolBody.String("name").Value;
            if (string.IsNullOrEmpty(name))
            {
                throw ApiException.ValidationFailure("Pools in a single-call create must have a name.");
            }

            if (pools.ContainsKey(name))
            {
                throw ApiException.ValidationFailure($"Duplicate pool name {name} in the load balancer's pools.");
            }

            var node = ParsePool(poolBody, lb, settings, networking, now);
            pools[name] = node;
            order.Add(node);
        }

        foreach (var poolBody in poolBodies)
        {
            DefineIfFull(poolBody);
        }

        foreach (var parsed in parsedListeners)
        {
            DefineIfFull(parsed.DefaultPool);
            foreach (var policyBody in parsed.L7Policies)
            {
                DefineIfFull(policyBody.Object("redirect_pool", PoolRequests.GraphAttributes).Value);
            }
        }

        PoolNode Resolve(JsonBody poolBody)
        {
            var name = poolBody.String("name").Value ?? "";
            return pools.TryGetValue(name, out var node)
                ? node
                : throw ApiException.ValidationFailure($"Pool {name} is referenced but not defined in the request.");
        }

        var listeners = new List<ListenerNode>();
        foreach (var parsed in parsedListeners)
        {
            var listener = parsed.Listener;
            listener.LoadBalancerId = lb.Id;
            listener.ProjectId = lb.ProjectId;
            listener.CreatedAt = now;
            ListenerRequests.CheckDuplicatePort(listener, listeners.Select(l => l.Listener));
            ListenerRequests.CheckCidrsAgainstVips(listener.AllowedCidrs, lb);
            if (listener.Protocol == "PROMETHEUS" && (parsed.DefaultPool is not null || parsed.L7Policies.Count > 0))
            {
                throw ListenerRequests.NoChildren();
            }

            if (parsed.DefaultPool is not null)
            {
                var pool = Resolve(parsed.DefaultPool);
                ListenerRequests.CheckPoolProtocol(listener.Protocol, pool.Pool.Protocol);
                listener.DefaultPoolId = pool.Pool.Id;
                pool.ListenerIds.Add(listener.Id);
            }

            var policies = new List<L7Policy>();
            foreach (var policyBody in parsed.L7Policies)
            {
                var redirectPool = policyBody.Object("redirect_pool", PoolRequests.GraphAttributes).Value;
                var policy = L7PolicyRequests.ParsePost(policyBody, requireListenerId: false, now, graphRedirectPool: redirectPool is not null);
                L7PolicyRequests.CheckListener(listener);
                L7PolicyRequests.CheckProvider(listener, lb.Provider);
                policy.ListenerId = listener.Id;
                policy.ProjectId = lb.ProjectId;
                if (redirectPool is not null)
                {
                    var pool = Resolve(redirectPool);
                    L7PolicyRequests.CheckPoolProtocol(listener.Protocol, pool.Pool.Protocol);
                    policy.RedirectPoolId = pool.Pool.Id;
                    if (!pool.ListenerIds.Contains(listener.Id))
                    {
                        pool.ListenerIds.Add(listener.Id);
                    }
                }

                foreach (var rule in policy.Rules)
                {
                    rule.ProjectId = lb.ProjectId;
                    L7RuleRequests.Validate(rule);
                }

                policies.Add(policy);
            }

            // Positions are 1..N in the order the caller asked for (stable for equal requests).
            var position = 1;
            foreach (var policy in policies.OrderBy(p => p.Position).ToList())
            {
                policy.Position = position++;
            }

            listeners.Add(new ListenerNode(listener, policies));
        }

        if (order.Any(p => p.Members.Any(m => m.VnicType == "direct")) && !await MemberEndpoints.AllowsMemberSriovAsync(scope.Db, lb.FlavorId, cancellationToken))
        {
            throw MemberEndpoints.SriovDisabled();
        }

        await scope.CheckQuotaAsync(context, lb.ProjectId, QuotaResource.Pool, order.Count, cancellationToken);
        await scope.CheckQuotaAsync(context, lb.ProjectId, QuotaResource.HealthMonitor, order.Count(p => p.Monitor is not null), cancellationToken);
        await scope.CheckQuotaAsync(context, lb.ProjectId, QuotaResource.Member, order.Sum(p => p.Members.Count), cancellationToken);
        await scope.CheckQuotaAsync(context, lb.ProjectId, QuotaResource.Listener, listeners.Count, cancellationToken);

        var db = scope.Db;
        foreach (var node in order)
        {
            db.Pools.Add(node.Pool);
            if (node.Monitor is not null)
            {
                db.HealthMonitors.Add(node.Monitor);
            }

            db.Members.AddRange(node.Members);
        }

        foreach (var node in listeners)
        {
            db.Listeners.Add(node.Listener);
            foreach (var policy in node.Policies)
            {
                var rules = policy.Rules;
                policy.Rules = [];
                db.L7Policies.Add(policy);
                db.L7Rules.AddRange(rules);
                policy.Rules = rules;
            }
        }

        return writer => LoadBalancerJson.WriteGraph(writer, lb,
            w =>
            {
                w.WriteStartArray();
                foreach (var node in listeners)
                {
                    ListenerJson.WriteFull(w, node.Listener, pw =>
                    {
                        pw.WriteStartArray();
                        foreach (var policy in node.Policies)
                        {
                            L7PolicyJson.Write(pw, policy, policy.Rules.Select(r => r.Id), FieldSet.All);
                        }

                        pw.WriteEndArray();
                    });
                }

                w.WriteEndArray();
            },
            w =>
            {
                w.WriteStartArray();
                foreach (var node in order)
                {
                    PoolJson.WriteFull(w, node.Pool, node.ListenerIds,
                        mw =>
                        {
                            mw.WriteStartArray();
                            foreach (var member in node.Members)
                            {
                                MemberJson.Write(mw, member, FieldSet.All);
                            }

                            mw.WriteEndArray();
                        },
                        node.Monitor is null ? null : hw => HealthMonitorJson.Write(hw, node.Monitor, FieldSet.All));
                }

                w.WriteEndArray();
            });
    }

    /// <summary>A pool written as <c>{"name": "…"}</c> only points at a pool defined elsewhere in the request.</summary>
    private static bool IsReference(JsonBody poolBody) => poolBody.Names.All(n => n == "name");

    private static PoolNode ParsePool(JsonBody poolBody, LoadBalancer lb, ApiSettingsOptions settings, NetworkingOptions networking, DateTime now)
    {
        var parsed = PoolRequests.ParseCreate(poolBody, settings);
        var pool = parsed.Pool;
        pool.LoadBalancerId = lb.Id;
        pool.ProjectId = lb.ProjectId;
        pool.CreatedAt = now;

        HealthMonitor? monitor = null;
        if (parsed.HealthMonitor is not null)
        {
            monitor = HealthMonitorRequests.ParsePost(parsed.HealthMonitor, requirePoolId: false, now);
            HealthMonitorRequests.CheckPool(monitor, pool.Protocol, settings);
            monitor.PoolId = pool.Id;
            monitor.ProjectId = lb.ProjectId;
        }

        var members = new List<Member>();
        foreach (var memberBody in parsed.Members)
        {
            var member = MemberRequests.ParsePost(memberBody, networking, now);
            if (members.Any(m => WireValues.SameAddress(m.Address, member.Address) && m.ProtocolPort == member.ProtocolPort))
            {
                throw MemberEndpoints.DuplicateMember(member.Address, member.ProtocolPort);
            }

            member.PoolId = pool.Id;
            member.ProjectId = lb.ProjectId;
            member.OperatingStatus = monitor is null ? OperatingStatus.NoMonitor : OperatingStatus.Offline;
            members.Add(member);
        }

        return new PoolNode(pool, monitor, members);
    }
}
