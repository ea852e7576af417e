namespace Octavia.Http.Keystone;

/// <summary>
/// What a validated Keystone token says about its bearer: the part of <c>GET /v3/auth/tokens</c>'s
/// answer the API needs. Project fields are null for a token not scoped to a project.
/// </summary>
public sealed class KeystoneIdentity
{
    public KeystoneIdentity(string userId, string? userName, string? projectId, string? projectName, IEnumerable<string> roles,
        DateTimeOffset expiresAt)
    {
        UserId = userId;
        UserName = userName;
        ProjectId = projectId;
        ProjectName = projectName;
        var sorted = roles.Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase).ToArray();
        Roles = sorted;
        ExpiresAt = expiresAt;
        // Everything an answer of the API may depend on for this caller, so cached answers never cross callers.
        Scope = string.Concat(userId, "\n", projectId, "\n", string.Join(',', sorted).ToLowerInvariant());
    }

    public string UserId { get; }
    public string? UserName { get; }
    public string? ProjectId { get; }
    public string? ProjectName { get; }

    /// <summary>Role names, sorted, each once (oslo.policy compares them without regard to case).</summary>
    public IReadOnlyList<string> Roles { get; }

    public DateTimeOffset ExpiresAt { get; }

    /// <summary>User, project and roles in one string: the caller's part of a response cache key.</summary>
    public string Scope { get; }

    public bool HasRole(string role)
    {
        foreach (var r in Roles)
        {
            if (string.Equals(r, role, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
