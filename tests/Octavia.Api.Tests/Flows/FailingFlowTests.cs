using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Octavia.Api.Tests.Infrastructure;
using Octavia.Core.Drivers;

namespace Octavia.Api.Tests.Flows;

/// <summary>
/// An amphora driver that fails for chosen load balancers, counting its calls: the worker retries a
/// failing task a bounded number of times, then reverts, and every object ends ACTIVE or ERROR as
/// reference/api.md §5.4 says — never PENDING.
/// </summary>
public sealed class FaultyAmphoraDriver : IAmphoraDriver
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _failing = [];
    private readonly Dictionary<string, int> _calls = [];

    public string Name => "amphora_faulty_test_driver";

    public void FailFor(string loadBalancerId)
    {
        lock (_lock)
        {
            _failing.Add(loadBalancerId);
        }
    }

    public void Heal(string loadBalancerId)
    {
        lock (_lock)
        {
            _failing.Remove(loadBalancerId);
        }
    }

    public int Calls(string loadBalancerId)
    {
        lock (_lock)
        {
            return _calls.GetValueOrDefault(loadBalancerId);
        }
    }

    public Task UpdateLoadBalancerAsync(string loadBalancerId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _calls[loadBalancerId] = _calls.GetValueOrDefault(loadBalancerId) + 1;
            return _failing.Contains(loadBalancerId) || _failing.Contains("*")
                ? throw new InvalidOperationException("injected amphora failure")
                : Task.CompletedTask;
        }
    }

    public Task WaitForAmphoraAsync(string amphoraId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<bool> IsAnsweringAsync(string amphoraId, TimeSpan timeout, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task PlugVipAsync(string amphoraId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task UpdateAgentConfigAsync(string amphoraId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task UpdateCertificateAsync(string amphoraId, string pem, CancellationToken cancellationToken) => Task.CompletedTask;
}

public sealed class FaultyDriverFixture : OctaviaFixture
{
    public FaultyAmphoraDriver Driver { get; } = new();

    protected override bool UsePostgres => false;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["task_flow:task_max_attempts"] = "3",
        ["task_flow:task_retry_initial_delay"] = "0.01",
    };

    protected override void OverrideServices(IServiceCollection services) => services.Replace(ServiceDescriptor.Singleton<IAmphoraDriver>(Driver));
}

public sealed class FailingFlowTests(FaultyDriverFixture fixture) : IClassFixture<FaultyDriverFixture>
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task ListenerCreate_DriverFails_RetriesThenListenerErrorAndLoadBalancerActive()
    {
        var lb = await Client.CreateLoadBalancerAsync("faulty-listener");
        var callsBefore = fixture.Driver.Calls(lb);
        fixture.Driver.FailFor(lb);
        var response = await Client.ApiPostAsync("/v2/lbaas/listeners",
            $$$"""{"listener": {"protocol": "HTTP", "protocol_port": 80, "loadbalancer_id": "{{{lb}}}"}}""");
        Assert.Equal(HttpStatusCode.Created, response.Status);
        var listenerId = response.Json["listener"]!["id"]!.GetValue<string>();

        var listener = await Client.WaitForStableAsync($"/v2/lbaas/listeners/{listenerId}", "listener");
        var loadBalancer = await Client.WaitForStableAsync($"/v2/lbaas/loadbalancers/{lb}", "loadbalancer");
        Assert.Equal("ERROR", listener["provisioning_status"]!.GetValue<string>());
        Assert.Equal("ACTIVE", loadBalancer["provisioning_status"]!.GetValue<string>());
        Assert.Equal(3, fixture.Driver.Calls(lb) - callsBefore);

        // The listener in ERROR can be deleted once the driver works again.
        fixture.Driver.Heal(lb);
        Assert.Equal(HttpStatusCode.NoContent, (await Client.ApiDeleteAsync($"/v2/lbaas/listeners/{listenerId}")).Status);
        var gone = await Client.WaitForStableAsync($"/v2/lbaas/listeners/{listenerId}", "listener");
        Assert.NotNull(gone["faultstring"]);
    }

    [Fact]
    public async Task LoadBalancerCreate_DriverFails_LoadBalancerAndGraphChildrenError()
    {
        fixture.Driver.FailFor("*");
        try
        {
            var response = await Client.ApiPostAsync("/v2/lbaas/loadbalancers", """
                {"loadbalancer": {"name": "faulty-create", "vip_subnet_id": "8a2b7c1e-4d3f-4a5b-9c6d-7e8f9a0b1c2d",
                  "listeners": [{"protocol": "HTTP", "protocol_port": 80, "default_pool": {"name": "p"}}],
                  "pools": [{"name": "p", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "members": [{"address": "192.0.2.10", "protocol_port": 80}]}]}}
                """);
            Assert.Equal(HttpStatusCode.Created, response.Status);
            var lb = response.Json["loadbalancer"]!;
            var id = lb["id"]!.GetValue<string>();
            var final = await Client.WaitForStableAsync($"/v2/lbaas/loadbalancers/{id}", "loadbalancer");
            Assert.Equal("ERROR", final["provisioning_status"]!.GetValue<string>());

            var listener = await Client.ApiGetAsync($"/v2/lbaas/listeners/{lb["listeners"]![0]!["id"]!.GetValue<string>()}");
            Assert.Equal("ERROR", listener.Json["listener"]!["provisioning_status"]!.GetValue<string>());
            var pool = await Client.ApiGetAsync($"/v2/lbaas/pools/{lb["pools"]![0]!["id"]!.GetValue<string>()}");
            Assert.Equal("ERROR", pool.Json["pool"]!["provisioning_status"]!.GetValue<string>());
            var amphorae = await Client.ApiGetAsync($"/v2/octavia/amphorae?loadbalancer_id={id}");
            Assert.Empty(amphorae.Json["amphorae"]!.AsArray());

            // An ERROR load balancer can still be deleted (with its children).
            fixture.Driver.Heal("*");
            Assert.Equal(HttpStatusCode.NoContent, (await Client.ApiDeleteAsync($"/v2/lbaas/loadbalancers/{id}?cascade=true")).Status);
            var gone = await Client.WaitForStableAsync($"/v2/lbaas/loadbalancers/{id}", "loadbalancer");
            Assert.NotNull(gone["faultstring"]);
        }
        finally
        {
            fixture.Driver.Heal("*");
        }
    }
}
