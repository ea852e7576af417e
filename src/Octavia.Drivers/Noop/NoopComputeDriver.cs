using Microsoft.Extensions.Options;
using Octavia.Core.Configuration;
using Octavia.Core.Drivers;

namespace Octavia.Drivers.Noop;

/// <summary>Upstream's <c>compute_noop_driver</c>: an amphora is only a row; its compute id is made up.</summary>
public sealed class NoopComputeDriver(IOptions<NoopDriverOptions> options, TimeProvider time) : IComputeDriver
{
    public const string DriverName = "compute_noop_driver";
    private int _next;

    public string Name => DriverName;

    private Task PretendAsync(CancellationToken cancellationToken) =>
        options.Value.Delay > 0 ? Task.Delay(TimeSpan.FromSeconds(options.Value.Delay), time, cancellationToken) : Task.CompletedTask;

    public async Task<AmphoraCompute> BuildAsync(AmphoraBuild request, CancellationToken cancellationToken)
    {
        await PretendAsync(cancellationToken);
        var n = (Interlocked.Increment(ref _next) - 1) % 253 + 1;
        return new AmphoraCompute(Guid.NewGuid().ToString(), $"198.51.100.{n}");
    }

    public Task DeleteAsync(string computeId, CancellationToken cancellationToken) => Task.CompletedTask;

    public string BasePathOf(string computeId) => "/var/lib/octavia";

    public string? NamespaceOf(string computeId) => null;
}
