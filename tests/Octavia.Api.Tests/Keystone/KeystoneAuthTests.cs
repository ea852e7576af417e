using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Octavia.Api.Tests.Infrastructure;

namespace Octavia.Api.Tests.Keystone;

/// <summary>
/// <c>auth_strategy = keystone</c> against a real Keystone: which requests pass, what a refused one looks
/// like (keystonemiddleware's 401), where the caller's project comes from, and what happens when Keystone
/// revokes a token or stops answering.
/// </summary>
[Collection(KeystoneCollection.Name)]
public sealed class KeystoneAuthTests(KeystoneFixture fixture)
{
    private const string LoadBalancers = "/v2/lbaas/loadbalancers";

    [Theory]
    [InlineData("/")]
    [InlineData("/healthcheck")]
    public async Task Get_OpenPathWithoutToken_IsServed(string path)
    {
        using var client = fixture.Octavia.ClientWith(null);
        using var response = await client.GetAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-token")]
    [InlineData("gAAAAABrDuZpat1giz2gyvn0Bew5Y39b_3R_sBuen0if7-x65xyDEIokVTesL7nrwwUhSeRZrB3d")]
    public async Task Get_WithoutValidToken_Is401InKeystonemiddlewaresFormat(string? token)
    {
        using var client = fixture.Octavia.ClientWith(token);
        foreach (var path in new[] { LoadBalancers, "/v2", "/v2/lbaas/no-such-thing" })
        {
            var response = await client.ApiGetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
            Assert.Equal("application/json", response.Message.Content.Headers.ContentType?.MediaType);
            Assert.Equal($"Keystone uri=\"{fixture.Keystone.Url}\"", response.Message.Headers.WwwAuthenticate.ToString());
            Assert.Equal(401, response.Json["error"]!["code"]!.GetValue<int>());
            Assert.Equal("The request you have made requires authentication.", response.Json["error"]!["message"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Post_WithValidToken_CreatesInTheTokensProjectWhateverTheHeaderSays()
    {
        var token = await fixture.TokenAsync(KeystoneFixture.ProjectA, "load-balancer_member");
        using var client = fixture.Octavia.ClientWith(token);
        client.DefaultRequestHeaders.Add("X-Project-Id", fixture.ProjectId(KeystoneFixture.ProjectB));

        var watch = Stopwatch.StartNew();
        var list = await client.ApiGetAsync(LoadBalancers);
        var first = watch.Elapsed;
        watch.Restart();
        await client.ApiGetAsync(LoadBalancers);
        TestContext.Current.TestOutputHelper?.WriteLine($"GET with an unchecked token: {first.TotalMilliseconds:F0} ms; checked: {watch.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(HttpStatusCode.OK, list.Status);

        var id = await client.CreateLoadBalancerAsync("octavia-keystone-member");
        var lb = await client.ApiGetAsync($"{LoadBalancers}/{id}");
        Assert.Equal(fixture.ProjectId(KeystoneFixture.ProjectA), lb.Json["loadbalancer"]!["project_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Post_ForAnotherProject_NeedsTheAdminRole()
    {
        var projectB = fixture.ProjectId(KeystoneFixture.ProjectB);
        using var member = fixture.Octavia.ClientWith(await fixture.TokenAsync(KeystoneFixture.ProjectA, "load-balancer_member"));
        var refused = await member.ApiPostAsync(LoadBalancers,
            $$$"""{"loadbalancer": {"vip_subnet_id": "8a2b7c1e-4d3f-4a5b-9c6d-7e8f9a0b1c2d", "project_id": "{{{projectB}}}"}}""");
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal("application/json", refused.Message.Content.Headers.ContentType?.MediaType);

        using var admin = fixture.Octavia.ClientWith(await fixture.TokenAsync(KeystoneFixture.ProjectA, "admin"));
        var id = await admin.CreateLoadBalancerAsync("octavia-keystone-admin", project: projectB);
        var lb = await admin.ApiGetAsync($"{LoadBalancers}/{id}");
        Assert.Equal(projectB, lb.Json["loadbalancer"]!["project_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Get_WithRevokedToken_IsRefusedOnceItsCacheEntryEnds()
    {
        await using var octavia = await fixture.StartOctaviaAsync(new Dictionary<string, string?> { ["keystone_authtoken:token_cache_time"] = "2" });
        var token = await fixture.TokenAsync(KeystoneFixture.ProjectA, "load-balancer_observer");
        using var client = octavia.ClientWith(token);
        Assert.Equal(HttpStatusCode.OK, (await client.ApiGetAsync(LoadBalancers)).Status);

        await fixture.Keystone.RevokeTokenAsync(token);

        // Served from the cache for at most token_cache_time; then Keystone's answer counts.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        ApiResponse response;
        do
        {
            response = await client.ApiGetAsync(LoadBalancers);
        }
        while (response.Status == HttpStatusCode.OK && DateTime.UtcNow < deadline && await Pause());

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
    }

    [Fact]
    public async Task Get_WhenKeystoneStops_CachedTokenWorksAndOthersGet503Promptly()
    {
        var cached = await fixture.TokenAsync(KeystoneFixture.ProjectA, "reader");
        var unchecked_ = await fixture.TokenAsync(KeystoneFixture.ProjectA, "member");
        using var cachedClient = fixture.Octavia.ClientWith(cached);
        using var uncheckedClient = fixture.Octavia.ClientWith(unchecked_);
        Assert.Equal(HttpStatusCode.OK, (await cachedClient.ApiGetAsync(LoadBalancers)).Status);

        await fixture.Keystone.StopAsync();
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await cachedClient.ApiGetAsync(LoadBalancers)).Status);
            await AssertUnavailablePromptlyAsync(uncheckedClient);
        }
        finally
        {
            await fixture.Keystone.ResumeAsync(TestContext.Current.CancellationToken);
        }

        Assert.Equal(HttpStatusCode.OK, (await uncheckedClient.ApiGetAsync(LoadBalancers)).Status);
    }

    [Fact]
    public async Task Get_WhenKeystoneHangs_Gets503WithinTheTimeout()
    {
        var token = await fixture.TokenAsync(KeystoneFixture.ProjectB, "load-balancer_member");
        using var client = fixture.Octavia.ClientWith(token);
        await fixture.Keystone.SignalAsync(freeze: true);
        try
        {
            await AssertUnavailablePromptlyAsync(client);
        }
        finally
        {
            await fixture.Keystone.SignalAsync(freeze: false);
        }

        Assert.Equal(HttpStatusCode.OK, (await client.ApiGetAsync(LoadBalancers)).Status);
    }

    /// <summary>503 in upstream's fault format, well within twice-plus the configured 2 s timeout.</summary>
    private static async Task AssertUnavailablePromptlyAsync(HttpClient client)
    {
        var watch = Stopwatch.StartNew();
        var response = await client.ApiGetAsync(LoadBalancers);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.Status);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"503 took {watch.Elapsed}");
        Assert.Equal("application/json", response.Message.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Server", response.Json["faultcode"]!.GetValue<string>());
        TestContext.Current.TestOutputHelper?.WriteLine($"503 after {watch.Elapsed.TotalMilliseconds:F0} ms");
    }

    private static async Task<bool> Pause()
    {
        await Task.Delay(200, TestContext.Current.CancellationToken);
        return true;
    }
}
