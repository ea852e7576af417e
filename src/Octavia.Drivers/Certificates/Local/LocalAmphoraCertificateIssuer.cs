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

/// <summary>Amphora certificates from the local server CA (created on first use, as <c>octavia certs init</c> does).</summary>
public sealed class LocalAmphoraCertificateIssuer(LocalCertificateAuthority authority, IOptions<CertificateOptions> options) : IAmphoraCertificateIssuer
{
    private static readonly Lock InitializeLock = new();

    public IssuedCertificate Issue(string amphoraId)
    {
        lock (InitializeLock)
        {
            authority.Initialize();
        }

        var issued = authority.IssueAmphoraCertificate(amphoraId, TimeSpan.FromSeconds(options.Value.CertValidityTime));
        return new IssuedCertificate(issued.Pem, issued.NotAfter);
    }
}

/// <summary>For no-op amphorae: nothing boots, so nothing is signed (an RSA key per amphora would cost more than the whole no-op flow).</summary>
public sealed class NoopAmphoraCertificateIssuer(TimeProvider time) : IAmphoraCertificateIssuer
{
    public IssuedCertificate Issue(string amphoraId) => new("", time.GetUtcNow().UtcDateTime.AddDays(30));
}
