using System.Text.Json.Nodes;
using Octavia.Api.Tests.Infrastructure;

namespace Octavia.Api.Tests.Keystone;

[CollectionDefinition(Name)]
public sealed class KeystoneCollection : ICollectionFixture<KeystoneFixture>
{
    public const string Name = "Keystone";
}

/// <summary>
/// One real Keystone for the whole collection (it takes about 20 s to set up), with projects
/// <c>octavia-project-a</c> and <c>octavia-project-b</c> and, in each, one user per role of upstream's
/// policy (<see cref="UserName"/>), the API's service user, an <c>octavia all</c> in keystone mode, and a
/// <see cref="Cloud"/> (both APIs, local network driver) that the catalog names as <c>load-balancer</c> and <c>network</c>.
/// </summary>
public sealed class KeystoneFixture : IAsyncLifetime
{
    public const string Password = "octavia-user-secret";
    public const string ServiceUser = "octavia-api";
    public const string ServiceProject = "octavia-service";
    public const string ProjectA = "octavia-project-a";
    public const string ProjectB = "octavia-project-b";

    /// <summary>Every role a test user can hold: upstream's deprecated and new policy roles.</summary>
    public static readonly string[] Roles =
    [
        "load-balancer_observer", "load-balancer_global_observer", "load-balancer_member", "load-balancer_quota_admin",
        "load-balancer_admin", "admin", "reader", "member",
    ];

    private readonly Dictionary<string, string> _projectIds = [];

    public KeystoneServer Keystone { get; private set; } = null!;

    /// <summary>The API in keystone mode, validated tokens remembered for the default 300 s.</summary>
    public KeystoneOctavia Octavia { get; private set; } = null!;

    /// <summary>
    /// The load-balancer and networking APIs in keystone mode over the local network driver's IPAM (no links on the
    /// host: the compute driver is no-op), with <c>public</c>, <c>private</c> and <c>lb-mgmt-net</c>; the catalog's entries.
    /// </summary>
    public KeystoneOctavia Cloud { get; private set; } = null!;

    public string ProjectId(string name) => _projectIds[name];

    /// <summary>The test user holding <paramref name="role"/> in <paramref name="project"/>.</summary>
    public static string UserName(string project, string role) => $"{project}-{role}";

    public Task<string> TokenAsync(string project, string role) => Keystone.IssueTokenAsync(UserName(project, role), Password, project);

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        Keystone = await KeystoneServer.StartAsync(cancellationToken);
        var admin = await Keystone.IssueTokenAsync("admin", KeystoneServer.AdminPassword, "admin");
        var roleIds = new Dictionary<string, string>();
        foreach (var role in Roles.Append("service"))
        {
            roleIds[role] = await Keystone.FindRoleAsync(admin, role)
                ?? await Keystone.CreateAsync(admin, "roles", new JsonObject { ["name"] = role });
        }

        foreach (var project in new[] { ProjectA, ProjectB, ServiceProject })
        {
            _projectIds[project] = await Keystone.CreateAsync(admin, "projects", new JsonObject { ["name"] = project, ["domain_id"] = "default" });
        }

        await AddUserAsync(admin, ServiceUser, ServiceProject, roleIds["service"]);
        foreach (var project in new[] { ProjectA, ProjectB })
        {
            foreach (var role in Roles)
            {
                await AddUserAsync(admin, UserName(project, role), project, roleIds[role]);
            }
        }

        Octavia = await StartOctaviaAsync();
        Cloud = await StartOctaviaAsync(new Dictionary<string, string?> { ["controller_worker:network_driver"] = "network_local_driver" }, withNetworkApi: true);

        // The catalog entries clients find the APIs by (docs/keystone.md).
        await RegisterAsync(admin, "load-balancer", "octavia", Cloud.BaseAddress);
        await RegisterAsync(admin, "network", "neutron", Cloud.NetworkBaseAddress);
    }

    private async Task RegisterAsync(string admin, string type, string name, Uri url)
    {
        var service = await Keystone.CreateAsync(admin, "services", new JsonObject { ["type"] = type, ["name"] = name });
        foreach (var endpointInterface in new[] { "public", "internal", "admin" })
        {
            await Keystone.CreateAsync(admin, "endpoints", new JsonObject
            {
                ["service_id"] = service,
                ["interface"] = endpointInterface,
                ["url"] = url.ToString().TrimEnd('/'),
                ["region_id"] = KeystoneServer.Region,
            });
        }
    }

    private async Task AddUserAsync(string admin, string name, string project, string roleId)
    {
        var user = await Keystone.CreateAsync(admin, "users", new JsonObject { ["name"] = name, ["domain_id"] = "default", ["password"] = Password });
        await Keystone.GrantAsync(admin, _projectIds[project], user, roleId);
    }

    /// <summary>Another API against this Keystone, with its own database and <c>[keystone_authtoken]</c> overrides.</summary>
    /// <param name="withNetworkApi">Also run the networking API (give it <c>network_local_driver</c> for its networks).</param>
    public async Task<KeystoneOctavia> StartOctaviaAsync(IDictionary<string, string?>? overrides = null, bool withNetworkApi = false)
    {
        var settings = new Dictionary<string, string?>
        {
            ["api_settings:auth_strategy"] = "keystone",
            ["keystone_authtoken:www_authenticate_uri"] = Keystone.Url,
            ["keystone_authtoken:auth_url"] = Keystone.Url,
            ["keystone_authtoken:auth_type"] = "password",
            ["keystone_authtoken:username"] = ServiceUser,
            ["keystone_authtoken:password"] = Password,
            ["keystone_authtoken:user_domain_name"] = "Default",
            ["keystone_authtoken:project_name"] = ServiceProject,
            ["keystone_authtoken:project_domain_name"] = "Default",
            ["keystone_authtoken:http_connect_timeout"] = "2",
        };
        foreach (var (k, v) in overrides ?? new Dictionary<string, string?>())
        {
            settings[k] = v;
        }

        var octavia = new KeystoneOctavia(settings, withNetworkApi);
        try
        {
            await octavia.InitializeAsync();
            return octavia;
        }
        catch
        {
            await octavia.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Octavia is not null)
            {
                await Octavia.DisposeAsync();
            }

            if (Cloud is not null)
            {
                await Cloud.DisposeAsync();
            }
        }
        finally
        {
            if (Keystone is not null)
            {
                await Keystone.DisposeAsync();
            }
        }
    }
}

/// <summary>An <c>octavia all</c> with <c>auth_strategy = keystone</c> (SQLite, no-op drivers unless the settings say otherwise).</summary>
public sealed class KeystoneOctavia(IDictionary<string, string?> settings, bool withNetworkApi = false) : OctaviaFixture
{
    protected override bool UsePostgres => false;

    protected override bool WithNetworkApi => withNetworkApi;

    protected override IDictionary<string, string?> Settings => settings;

    /// <summary>A client of the load-balancer API that sends <paramref name="token"/> (none when null) with every request.</summary>
    public HttpClient ClientWith(string? token) => ClientOf(BaseAddress, token);

    /// <summary>A client of the networking API that sends <paramref name="token"/> (none when null) with every request.</summary>
    public HttpClient NetworkClientWith(string? token) => ClientOf(NetworkBaseAddress, token);

    private static HttpClient ClientOf(Uri baseAddress, string? token)
    {
        var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Add("X-Auth-Token", token);
        }

        return client;
    }
}
