namespace Octavia.Api.Policy;

/// <summary>What oslo.policy calls the credentials: the caller's user, project, roles and whether it is an admin.</summary>
public sealed record PolicyCredentials(string? UserId, string? ProjectId, IReadOnlyList<string> Roles, bool IsAdmin)
{
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

    /// <summary>The credential a <c>KEY:VALUE</c> check compares; null (never equal) for a key the caller has not.</summary>
    public string? Value(string key) => key switch
    {
        "project_id" or "tenant_id" or "tenant" => ProjectId,
        "user_id" or "user" => UserId,
        "is_admin" => IsAdmin ? "True" : "False",
        _ => null,
    };
}
