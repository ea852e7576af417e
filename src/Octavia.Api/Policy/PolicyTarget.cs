namespace Octavia.Api.Policy;

/// <summary>
/// What a request acts on, as upstream's API passes it to the policy: the project that owns the object (for a
/// child object the load balancer's project), or the caller's own for objects without a project.
/// </summary>
public readonly record struct PolicyTarget(string? ProjectId)
{
    public string? Value(string key) => key is "project_id" or "tenant_id" ? ProjectId : null;
}
