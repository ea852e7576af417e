namespace Octavia.Core.Drivers;

/// <summary>Amphora lifecycle (upstream's compute driver). Selected by <c>[controller_worker] compute_driver</c>.</summary>
public interface IComputeDriver
{
    string Name { get; }

    /// <summary>Boots an amphora and returns its compute id; safe to call again for the same amphora.</summary>
    Task<AmphoraCompute> BuildAsync(string amphoraId, CancellationToken cancellationToken);

    /// <summary>Removes an amphora's compute instance; succeeds when it is already gone.</summary>
    Task DeleteAsync(string computeId, CancellationToken cancellationToken);
}

public sealed record AmphoraCompute(string ComputeId, string ManagementAddress);
