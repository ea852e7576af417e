using System.Collections.Concurrent;
using Octavia.Core.Drivers;

namespace Octavia.Api.Tests.Housekeeping;

/// <summary>A compute driver that boots at once and remembers what it built and deleted; not the no-op one, so housekeeping keeps spares for it.</summary>
public sealed class FakeComputeDriver : IComputeDriver
{
    private int _next;

    public string Name => "compute_fake_test_driver";

    /// <summary>Amphora ids, in the order they were built.</summary>
    public ConcurrentQueue<string> Built { get; } = new();

    /// <summary>Compute ids deleted.</summary>
    public ConcurrentQueue<string> Deleted { get; } = new();

    public Task<AmphoraCompute> BuildAsync(AmphoraBuild request, CancellationToken cancellationToken)
    {
        Built.Enqueue(request.AmphoraId);
        var n = Interlocked.Increment(ref _next) % 250 + 2;
        return Task.FromResult(new AmphoraCompute("fake-" + request.AmphoraId, $"198.51.100.{n}"));
    }

    public Task DeleteAsync(string computeId, CancellationToken cancellationToken)
    {
        Deleted.Enqueue(computeId);
        return Task.CompletedTask;
    }

    public string BasePathOf(string computeId) => "/var/lib/octavia";

    public string? NamespaceOf(string computeId) => null;
}

/// <summary>
/// An amphora driver that records VIP plugs and certificate uploads, and can be told that an amphora's agent
/// does not answer, that its certificate upload fails, or that uploads wait for a gate.
/// </summary>
public sealed class FakeAmphoraDriver : IAmphoraDriver
{
    public string Name => "amphora_fake_test_driver";

    /// <summary>Amphorae whose agent does not answer a spare's probe.</summary>
    public ConcurrentDictionary<string, bool> Silent { get; } = new();

    /// <summary>Amphorae whose certificate upload fails.</summary>
    public ConcurrentDictionary<string, bool> RefusesCertificate { get; } = new();

    public ConcurrentQueue<string> Plugged { get; } = new();

    /// <summary>(amphora id, PEM) of every certificate upload that succeeded.</summary>
    public ConcurrentQueue<(string AmphoraId, string Pem)> Certificates { get; } = new();

    /// <summary>When set, certificate uploads wait for it (rotations stay in flight).</summary>
    public TaskCompletionSource? CertificateGate { get; set; }

    public Task UpdateLoadBalancerAsync(string loadBalancerId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task WaitForAmphoraAsync(string amphoraId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<bool> IsAnsweringAsync(string amphoraId, TimeSpan timeout, CancellationToken cancellationToken) =>
        Task.FromResult(!Silent.ContainsKey(amphoraId));

    public Task PlugVipAsync(string amphoraId, CancellationToken cancellationToken)
    {
        Plugged.Enqueue(amphoraId);
        return Task.CompletedTask;
    }

    public Task UpdateAgentConfigAsync(string amphoraId, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task UpdateCertificateAsync(string amphoraId, string pem, CancellationToken cancellationToken)
    {
        if (CertificateGate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (RefusesCertificate.ContainsKey(amphoraId))
        {
            throw new InvalidOperationException("injected certificate upload failure");
        }

        Certificates.Enqueue((amphoraId, pem));
    }
}
