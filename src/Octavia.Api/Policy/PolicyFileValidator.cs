using Microsoft.Extensions.Options;
using Octavia.Core.Configuration;

namespace Octavia.Api.Policy;

/// <summary>Loads the policy at start-up so that an unreadable or malformed policy file stops the API with its reason.</summary>
public sealed class PolicyFileValidator : IValidateOptions<OsloPolicyOptions>
{
    public ValidateOptionsResult Validate(string? name, OsloPolicyOptions options)
    {
        try
        {
            _ = new PolicyEnforcer(options);
            return ValidateOptionsResult.Success;
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            return ValidateOptionsResult.Fail($"[oslo_policy] policy_file: {e.Message}");
        }
    }
}
