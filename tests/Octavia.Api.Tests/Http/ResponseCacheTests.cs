using Microsoft.EntityFrameworkCore;
using Octavia.Api.Tests.Infrastructure;

namespace Octavia.Api.Tests.Http;

/// <summary>
/// The GET response cache never serves an answer older than the last commit, whoever made it: the API,
/// the worker, or any other connection to the database.
/// </summary>
public sealed class ResponseCacheTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    [Fact]
    public async Task Get_AfterAChangeByAnotherConnection_ShowsTheChange()
    {
        var id = await fixture.Client.CreateLoadBalancerAsync("cached");
        var first = await fixture.Client.ApiGetAsync($"/v2/lbaas/loadbalancers/{id}");
        var again = await fixture.Client.ApiGetAsync($"/v2/lbaas/loadbalancers/{id}");
        Assert.Equal(first.Raw, again.Raw);

        // A write that bypasses the API entirely, as a worker in another process would make it.
        await fixture.WithDbAsync(db => db.LoadBalancers.Where(lb => lb.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(lb => lb.Description, "changed elsewhere"), TestContext.Current.CancellationToken));

        var after = await fixture.Client.ApiGetAsync($"/v2/lbaas/loadbalancers/{id}");
        Assert.Equal("changed elsewhere", after.Json["loadbalancer"]!["description"]!.GetValue<string>());
        var list = await fixture.Client.ApiGetAsync($"/v2/lbaas/loadbalancers?name=cached");
        Assert.Contains(list.Json["loadbalancers"]!.AsArray(), lb => lb!["description"]!.GetValue<string>() == "changed elsewhere");
    }

    [Fact]
    public async Task Get_EachAnswerHasItsOwnRequestId()
    {
        var a = await fixture.Client.ApiGetAsync("/v2/lbaas/loadbalancers");
        var b = await fixture.Client.ApiGetAsync("/v2/lbaas/loadbalancers");
        Assert.NotEqual(a.Message.Headers.GetValues("x-openstack-request-id").Single(), b.Message.Headers.GetValues("x-openstack-request-id").Single());
    }
}
