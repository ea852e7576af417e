namespace Octavia.Amphora.Network;

/// <summary>A plug that cannot be done; <see cref="StatusCode"/> is the agent's answer (400, 404, 409).</summary>
public sealed class PlugException(int statusCode, string message, string details) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    public string Details { get; } = details;
}
