using System.Collections.Concurrent;

namespace Octavia.Api.Tests.Keystone;

/// <summary>One Keystone token per test user for the whole run: issuing one costs a Keystone round trip.</summary>
internal static class RbacTokens
{
    private static readonly ConcurrentDictionary<(KeystoneFixture, string, string), Task<string>> Tokens = new();

    public static Task<string> GetAsync(KeystoneFixture fixture, string project, string role) =>
        Tokens.GetOrAdd((fixture, project, role), key => key.Item1.TokenAsync(key.Item2, key.Item3));
}
