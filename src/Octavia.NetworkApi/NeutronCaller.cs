using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Octavia.Core.Configuration;
using Octavia.Core.Model;
using Octavia.Db;
using Octavia.Http.Keystone;

namespace Octavia.NetworkApi;

/// <summary>
/// Who calls the networking API and what Neutron's default policy lets them see and change. Under noauth every
/// caller is an admin (as Neutron's noauth); under keystone the token's project and roles decide: the <c>admin</c>
/// role sees and changes everything; any other caller sees the networks of its project, shared and external
/// networks and their subnets, its own ports and the ports on its networks, and changes only its own objects.
/// </summary>
public sealed class NeutronCaller
{
    private NeutronCaller(string? projectId, bool isAdmin, string? defaultProjectId)
    {
        ProjectId = projectId;
        IsAdmin = isAdmin;
        DefaultProjectId = defaultProjectId;
    }

    public string? ProjectId { get; }

    /// <summary>Neutron's <c>context_is_admin</c> (<c>role:admin</c>); always under noauth.</summary>
    public bool IsAdmin { get; }

    /// <summary>noauth's project for a create that names none (<c>[api_settings] noauth_default_project_id</c>).</summary>
    private string? DefaultProjectId { get; }

    /// <summary>The caller of this request, worked out once.</summary>
    public static NeutronCaller Of(HttpContext http)
    {
        if (http.Features.Get<NeutronCaller>() is { } known)
        {
            return known;
        }

        // The token middleware runs only under keystone and lets no request through without an identity. Under noauth
        // the caller's project is its X-Project-Id header, as in the load-balancer API.
        var caller = http.Features.Get<KeystoneIdentity>() is { } identity
            ? new NeutronCaller(identity.ProjectId, identity.HasRole("admin"), null)
            : new NeutronCaller(http.Request.Headers["X-Project-Id"].ToString() is { Length: > 0 } project ? project : null, true,
                http.RequestServices.GetService<IOptions<ApiSettingsOptions>>()?.Value.NoauthDefaultProjectId);
        http.Features.Set(caller);
        return caller;
    }

    public bool Owns(string projectId) => IsAdmin || projectId == ProjectId;

    /// <summary>Neutron's read rule for networks: the owner, or anyone for a shared or external one.</summary>
    public bool Sees(Network network) => Owns(network.ProjectId) || network.Shared || network.External;

    /// <summary>Networks the caller may see (<see cref="Sees(Network)"/>), as a query.</summary>
    public IQueryable<Network> Visible(IQueryable<Network> networks)
    {
        var project = ProjectId;
        return IsAdmin ? networks : networks.Where(n => n.ProjectId == project || n.Shared || n.External);
    }

    /// <summary>Subnets the caller may see: its own, and those of networks it sees.</summary>
    public IQueryable<Subnet> Visible(IQueryable<Subnet> subnets, OctaviaDbContext db)
    {
        var project = ProjectId;
        return IsAdmin
            ? subnets
            : subnets.Where(s => s.ProjectId == project || db.Networks.Any(n => n.Id == s.NetworkId && (n.ProjectId == project || n.Shared || n.External)));
    }

    /// <summary>Ports the caller may see: its own, and every port on a network of its project (Neutron's network owner rule).</summary>
    public IQueryable<Port> Visible(IQueryable<Port> ports, OctaviaDbContext db)
    {
        var project = ProjectId;
        return IsAdmin ? ports : ports.Where(p => p.ProjectId == project || db.Networks.Any(n => n.Id == p.NetworkId && n.ProjectId == project));
    }

    /// <summary>
    /// The project a new <paramref name="resource"/> belongs to: the body's <c>project_id</c> (or <c>tenant_id</c>), else
    /// the caller's. Only an admin may name another project (Neutron's 403 <c>PolicyNotAuthorized</c>).
    /// </summary>
    public string ResolveProject(string? fromBody, string resource)
    {
        var project = fromBody ?? ProjectId ?? DefaultProjectId
            ?? throw NeutronException.BadRequest("Failed to parse request. Required attribute 'project_id' not specified");
        return Owns(project) ? project : throw Forbidden("create_" + resource);
    }

    /// <summary>A change of <paramref name="resource"/> of <paramref name="projectId"/> the caller may see but not make.</summary>
    public void EnsureOwns(string projectId, string action)
    {
        if (!Owns(projectId))
        {
            throw Forbidden(action);
        }
    }

    /// <summary>Neutron's answer when its policy refuses an action on an object the caller can see.</summary>
    public static NeutronException Forbidden(string action) => new(403, "PolicyNotAuthorized", action + " is disallowed by policy");
}
