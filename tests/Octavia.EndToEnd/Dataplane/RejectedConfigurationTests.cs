namespace Octavia.EndToEnd.Dataplane;

/// <summary>
/// A configuration the amphora's <c>haproxy -c</c> refuses: the object goes to ERROR with HAProxy's words
/// in the log, the load balancer stays ACTIVE, and the last good configuration keeps serving traffic.
/// </summary>
[Collection("dataplane")]
public sealed class RejectedConfigurationTests(Dataplane cloud)
{
    [Fact]
    public async Task RefusedConfiguration_KeepsServingTheOldOne_AndPutsTheListenerInError()
    {
        await cloud.ServerAsync("start", "--subnet", "private-subnet", "--address", "192.0.2.20");
        try
        {
            var created = await cloud.PostAsync("/v2/lbaas/loadbalancers", $$"""
                {"loadbalancer": {"vip_subnet_id": "{{cloud.PublicSubnetId}}", "listeners": [{"protocol": "HTTP", "protocol_port": 80,
                  "default_pool": {"name": "pool1", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN",
                    "members": [{"address": "192.0.2.20", "protocol_port": 80, "subnet_id": "{{cloud.PrivateSubnetId}}"}]} }]} }
                """);
            var lb = created["loadbalancer"]!;
            var lbId = lb["id"]!.GetValue<string>();
            var listenerId = lb["listeners"]![0]!["id"]!.GetValue<string>();
            var url = $"http://{lb["vip_address"]!.GetValue<string>()}/";
            await cloud.WaitForActiveAsync(lbId);
            Assert.Equal(5, (await Traffic.CountAsync(url, 5)).GetValueOrDefault("192.0.2.20:80"));

            await cloud.PutAsync($"/v2/lbaas/listeners/{listenerId}", $$"""{"listener": {"connection_limit": {{Dataplane.RefusedConnectionLimit}}} }""");
            await cloud.WaitForActiveAsync(lbId);
            var listener = (await cloud.GetAsync($"/v2/lbaas/listeners/{listenerId}"))["listener"]!;
            Assert.Equal("ERROR", listener["provisioning_status"]!.GetValue<string>());
            Assert.Contains($"maxconn {Dataplane.RefusedConnectionLimit} is refused by this HAProxy", cloud.Output, StringComparison.Ordinal);

            // The old configuration is still the one serving.
            Assert.Equal(20, (await Traffic.CountAsync(url, 20)).GetValueOrDefault("192.0.2.20:80"));

            await cloud.DeleteAsync($"/v2/lbaas/loadbalancers/{lbId}?cascade=true");
            await cloud.WaitForGoneAsync(lbId);
        }
        finally
        {
            await cloud.ServerAsync("stop", "192.0.2.20");
        }
    }
}
