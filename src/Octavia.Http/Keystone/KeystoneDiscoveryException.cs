namespace Octavia.Http.Keystone;

/// <summary>
/// <c>[keystone_authtoken] auth_url</c> answered, but not as a Keystone with an identity v3 API: a configuration
/// error that stops start-up (an <see cref="InvalidOperationException"/>, so the command line prints the message alone).
/// </summary>
public sealed class KeystoneDiscoveryException(string message) : InvalidOperationException(message);
