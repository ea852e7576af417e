namespace Octavia.Http.Keystone;

/// <summary>Keystone could not give an answer in time (down, slow, refusing the service user): the request gets 503.</summary>
public sealed class KeystoneUnavailableException(string reason, Exception? inner = null) : Exception(reason, inner);
