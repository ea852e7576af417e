using Octavia.Core.Drivers;

namespace Octavia.Drivers.Noop;

/// <summary>Upstream's <c>compute_noop_driver</c>: an amphora is only a row; its compute id is made up.</summary>
public sealed class NoopComputeDriver : IComputeDriver
{
    public const string DriverName = "compute_noop_driver";
    private int _next;

    public string Name => DriverName;

    public Task<AmphoraCompute> BuildAsync(string amphoraId, CancellationToken cancellationToken)
    {
        var n = (Interlocked.Increment(ref _next) - 1) % 253 + 1;
        return Task.FromResult(new AmphoraCompute(Guid.NewGuid().ToString(), $"198.51.100.{n}"));
    }

    public Task DeleteAsync(string computeId, CancellationToken cancellationToken) => Task.CompletedTask;
}
