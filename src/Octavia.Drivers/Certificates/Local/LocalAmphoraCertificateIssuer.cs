using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Octavia.Core.Drivers;

namespace Octavia.Drivers.Certificates.Local;

/// <summary>The <c>[certificates]</c> section.</summary>
public sealed class CertificateOptions
{
    public const string SectionName = "certificates";

    /// <summary>Seconds an amphora certificate is valid (upstream's default: 30 days).</summary>
    [ConfigurationKeyName("cert_validity_time")] public int CertValidityTime { get; set; } = 2_592_000;
}

/// <summary>
/// Amphora certificates from the local server CA (created on first use, as <c>octavia certs init</c> does).
/// Making an RSA 2048 key takes 50–300 ms on a small machine, a quarter of a cold POST → ACTIVE, so two
/// keys are kept made ahead of time in the background and one is taken per certificate.
/// </summary>
public sealed class LocalAmphoraCertificateIssuer : IAmphoraCertificateIssuer
{
    private const int ReadyKeys = 2;
    private static readonly TimeSpan RefillDelay = TimeSpan.FromSeconds(2);
    private readonly ConcurrentQueue<RSA> _keys = new();
    private readonly LocalCertificateAuthority _authority;
    private readonly Lazy<IReadOnlyList<string>> _initialized;
    private readonly IOptions<CertificateOptions> _options;
    private int _making;

    public LocalAmphoraCertificateIssuer(LocalCertificateAuthority authority, IOptions<CertificateOptions> options)
    {
        _authority = authority;
        _options = options;
        _initialized = new(authority.Initialize);
        Refill(TimeSpan.Zero);
    }

    public IssuedCertificate Issue(string amphoraId)
    {
        // The CAs once per process (as `octavia certs init` does), not a look at their files per amphora.
        _ = _initialized.Value;
        _keys.TryDequeue(out var key);
        var issued = _authority.IssueAmphoraCertificate(amphoraId, TimeSpan.FromSeconds(_options.Value.CertValidityTime), key);

        // The next key is made once this amphora has booted, not while it boots on the same cores.
        Refill(RefillDelay);
        return new IssuedCertificate(issued.Pem, issued.NotAfter);
    }

    /// <summary>Starts making keys until <see cref="ReadyKeys"/> wait in the queue (one maker at a time).</summary>
    private void Refill(TimeSpan delay)
    {
        if (_keys.Count >= ReadyKeys || Interlocked.CompareExchange(ref _making, 1, 0) != 0)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(delay);
                while (_keys.Count < ReadyKeys)
                {
                    // RSA.Create(2048) only names the size: the key is made when first used, so use it here.
                    var key = RSA.Create(2048);
                    key.ExportSubjectPublicKeyInfo();
                    _keys.Enqueue(key);
                }
            }
            finally
            {
                Volatile.Write(ref _making, 0);
            }
        });
    }
}

/// <summary>For no-op amphorae: nothing boots, so nothing is signed (an RSA key per amphora would cost more than the whole no-op flow).</summary>
public sealed class NoopAmphoraCertificateIssuer(TimeProvider time) : IAmphoraCertificateIssuer
{
    public IssuedCertificate Issue(string amphoraId) => new("", time.GetUtcNow().UtcDateTime.AddDays(30));
}
