using Microsoft.EntityFrameworkCore;
using Octavia.Controller.Engine;
using Octavia.Core.Jobs;
using Octavia.Core.Statuses;
using static Octavia.Controller.Tasks.AmphoraTasks;
using static Octavia.Controller.Tasks.DatabaseTasks;
using static Octavia.Controller.Tasks.ResourceTasks;

namespace Octavia.Controller.Flows;

/// <summary>
/// The flows, one recipe per job kind (reference/controller.md §3). Every flow starts with the guard
/// whose revert leaves its objects in ERROR, so that a failure never leaves anything PENDING.
/// </summary>
public sealed class FlowBuilder
{
    public Flow Build(string kind, FlowState state) => kind switch
    {
        JobKinds.LoadBalancerCreate => new(kind,
            [LoadBalancerAndChildrenToErrorOnRevert(), BuildAmphorae(), UpdateLoadBalancerConfig(), MarkLoadBalancerAndChildrenActive(), WakeSparePool()]),
        JobKinds.LoadBalancerUpdate => new(kind, [LoadBalancerToErrorOnRevert(), UpdateLoadBalancerConfig(), MarkLoadBalancerActive()]),
        JobKinds.LoadBalancerDelete => new(kind, [LoadBalancerToErrorOnRevert(), DeleteAmphorae(AllAmphoraeOf), DeallocateVip(), MarkLoadBalancerDeleted()]),
        JobKinds.LoadBalancerFailover or JobKinds.AmphoraFailover => new(kind,
        [
            LoadBalancerToErrorOnRevert(), SelectAmphoraeToReplace(), BuildAmphorae(), UpdateLoadBalancerConfig(),
            DeleteAmphorae(ReplacedAmphorae), MarkLoadBalancerActive(), WakeSparePool(),
        ]),
        JobKinds.AmphoraConfigUpdate => new(kind, [AmphoraToErrorOnRevert(), UpdateAgentConfig()]),
        JobKinds.AmphoraDelete => new(kind, [AmphoraToErrorOnRevert(), DeleteAmphorae((c, _) => Task.FromResult(new List<string> { c.State.AmphoraId! }))]),
        JobKinds.AmphoraCreateSpare => new(kind, [AmphoraToErrorOnRevert(), BuildSpareAmphora()]),
        JobKinds.AmphoraCertRotate => new(kind, [CertificateNotBusyOnRevert(), RotateCertificate()]),

        JobKinds.ListenerCreate => new(kind, [ListenerToErrorOnRevert(), UpdateLoadBalancerConfig(), MarkListenerActive(), MarkParentsActive()]),
        JobKinds.ListenerUpdate => new(kind, [ListenerToErrorOnRevert(), UpdateLoadBalancerConfig(), MarkListenerActive(), MarkParentsActive()]),
        JobKinds.ListenerDelete => new(kind, [ListenerToErrorOnRevert(), DeleteListenerInDb(), UpdateLoadBalancerConfig(), MarkParentsActive()]),

        JobKinds.PoolCreate => new(kind, [PoolToErrorOnRevert(), UpdateLoadBalancerConfig(), MarkPoolActive(), MarkParentsActive()]),
        JobKinds.PoolUpdate => new(kind, [PoolToErrorOnRevert(), UpdateLoadBalancerConfig(), MarkPoolActive(), MarkParentsActive()]),
        JobKinds.PoolDelete => new(kind, [PoolToErrorOnRevert(), UpdateLoadBalancerConfig(), DeletePoolInDb(), MarkParentsActive()]),

        JobKinds.MemberCreate => new(kind, [MemberToErrorOnRevert(), UpdateLoadBalancerConfig(), MarkMembersActive(), MarkParentsActive()]),
        JobKinds.MemberUpdate => new(kind, [MemberToErrorOnRevert(), UpdateLoadBalancerConfig(), MarkMembersActive(), MarkParentsActive()]),
        JobKinds.MemberDelete => new(kind, [MemberToErrorOnRevert(), DeleteMembersInDb(), UpdateLoadBalancerConfig(), MarkParentsActive()]),
        JobKinds.MemberBatch => new(kind, [MembersToErrorOnRevert(), DeleteMembersInDb(), UpdateLoadBalancerConfig(), MarkMembersActive(), MarkParentsActive()]),

        JobKinds.HealthMonitorCreate => new(kind, [HealthMonitorToErrorOnRevert(), UpdateLoadBalancerConfig(), MarkHealthMonitorActive(), MarkParentsActive()]),
        JobKinds.HealthMonitorUpdate => new(kind, [HealthMonitorToErrorOnRevert(), UpdateLoadBalancerConfig(), MarkHealthMonitorActive(), MarkParentsActive()]),
        JobKinds.HealthMonitorDelete => new(kind, [HealthMonitorToErrorOnRevert(), UpdateLoadBalancerConfig(), DeleteHealthMonitorInDb(), MarkParentsActive()]),

        JobKinds.L7PolicyCreate => new(kind, [L7PolicyToErrorOnRevert(), UpdateLoadBalancerConfig(), MarkL7PolicyActive(), MarkParentsActive()]),
        JobKinds.L7PolicyUpdate => new(kind, [L7PolicyToErrorOnRevert(), UpdateLoadBalancerConfig(), MarkL7PolicyActive(), MarkParentsActive()]),
        JobKinds.L7PolicyDelete => new(kind, [L7PolicyToErrorOnRevert(), DeleteL7PolicyInDb(), UpdateLoadBalancerConfig(), MarkParentsActive()]),

        JobKinds.L7RuleCreate => new(kind, [L7RuleToErrorOnRevert(), UpdateLoadBalancerConfig(), MarkL7RuleActive(), MarkParentsActive()]),
        JobKinds.L7RuleUpdate => new(kind, [L7RuleToErrorOnRevert(), UpdateLoadBalancerConfig(), MarkL7RuleActive(), MarkParentsActive()]),
        JobKinds.L7RuleDelete => new(kind, [L7RuleToErrorOnRevert(), DeleteL7RuleInDb(), UpdateLoadBalancerConfig(), MarkParentsActive()]),

        _ => new(kind, [new FlowTask("UnknownJobKind", (_, _) => throw new PermanentTaskException($"Unknown job kind {kind}."))]),
    };
}
