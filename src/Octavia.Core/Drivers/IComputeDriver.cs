namespace Octavia.Core.Drivers;

/// <summary>Amphora lifecycle (upstream's compute driver). Selected by <c>[controller_worker] compute_driver</c>.</summary>
public interface IComputeDriver
{
    string Name { get; }

    /// <summary>
    /// Boots an amphora with its boot files (upstream's config drive) and returns where its agent answers;
    /// safe to call again for the same amphora.
    /// </summary>
    Task<AmphoraCompute> BuildAsync(AmphoraBuild request, CancellationToken cancellationToken);

    /// <summary>Removes an amphora's compute instance; succeeds when it is already gone.</summary>
    Task DeleteAsync(string computeId, CancellationToken cancellationToken);

    /// <summary>Where, inside the amphora, the agent keeps HAProxy's files (the rendered configuration names them).</summary>
    string BasePathOf(string computeId);

    /// <summary>The network namespace of the amphora, where the network driver puts its NICs; null when it has none.</summary>
    string? NamespaceOf(string computeId);
}

/// <param name="ServerPem">The amphora's own certificate and key (issued by the server CA for this amphora id).</param>
public sealed record AmphoraBuild(string AmphoraId, string ServerPem);

public sealed record AmphoraCompute(string ComputeId, string ManagementAddress);
