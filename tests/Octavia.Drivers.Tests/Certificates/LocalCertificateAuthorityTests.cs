using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using Octavia.Drivers.Certificates.Local;

namespace Octavia.Drivers.Tests.Certificates;

/// <summary>
/// <c>octavia certs init</c> and the amphora certificates it makes possible (reference/controller.md §6):
/// CAs, the controller's client certificate and the heartbeat key, keys 0600, idempotent; an amphora
/// certificate chains to the server CA and names the amphora.
/// </summary>
public sealed class LocalCertificateAuthorityTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "octavia-certs-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Initialize_CreatesEverything_KeysMode0600()
    {
        var authority = new LocalCertificateAuthority(_directory, _time);
        var written = authority.Initialize();

        Assert.Equal(
            [LocalCertificateAuthority.ServerCaCertFile, LocalCertificateAuthority.ServerCaKeyFile, LocalCertificateAuthority.ClientCaCertFile,
             LocalCertificateAuthority.ClientCaKeyFile, LocalCertificateAuthority.ClientCertFile, LocalCertificateAuthority.HeartbeatKeyFile],
            written);
        foreach (var secret in new[] { LocalCertificateAuthority.ServerCaKeyFile, LocalCertificateAuthority.ClientCaKeyFile, LocalCertificateAuthority.ClientCertFile, LocalCertificateAuthority.HeartbeatKeyFile })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(authority.PathOf(secret)));
        }

        Assert.Equal(32, Convert.FromBase64String(File.ReadAllText(authority.PathOf(LocalCertificateAuthority.HeartbeatKeyFile)).Trim()).Length);
    }

    [Fact]
    public void Initialize_Twice_ChangesNothing()
    {
        var authority = new LocalCertificateAuthority(_directory, _time);
        authority.Initialize();
        var before = Directory.GetFiles(_directory).ToDictionary(f => f, File.ReadAllBytes);

        Assert.Empty(authority.Initialize());
        var after = Directory.GetFiles(_directory).ToDictionary(f => f, File.ReadAllBytes);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        Assert.All(before, kv => Assert.Equal(kv.Value, after[kv.Key]));
    }

    [Fact]
    public void ClientCertificate_ChainsToClientCa_NotServerCa()
    {
        var authority = new LocalCertificateAuthority(_directory, _time);
        authority.Initialize();
        using var client = X509Certificate2.CreateFromPem(File.ReadAllText(authority.PathOf(LocalCertificateAuthority.ClientCertFile)));
        Assert.True(Chains(client, authority.PathOf(LocalCertificateAuthority.ClientCaCertFile)));
        Assert.False(Chains(client, authority.PathOf(LocalCertificateAuthority.ServerCaCertFile)));
        Assert.Contains(client.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>(),
            o => o.Value == "1.3.6.1.5.5.7.3.2");
    }

    [Fact]
    public void IssueAmphoraCertificate_NamesTheAmphora_ChainsToServerCa_ThirtyDays()
    {
        var authority = new LocalCertificateAuthority(_directory, _time);
        authority.Initialize();
        var amphoraId = Guid.NewGuid().ToString();

        var issued = authority.IssueAmphoraCertificate(amphoraId, TimeSpan.FromSeconds(2592000));

        using var cert = X509Certificate2.CreateFromPem(issued.Pem, issued.Pem);
        Assert.True(cert.HasPrivateKey);
        Assert.Equal($"CN={amphoraId}", cert.Subject);
        Assert.Equal(amphoraId, cert.GetNameInfo(X509NameType.DnsName, false));
        Assert.Equal(_time.GetUtcNow().UtcDateTime.AddDays(30), cert.NotAfter.ToUniversalTime());
        Assert.Equal(issued.NotAfter, cert.NotAfter.ToUniversalTime());
        Assert.False(cert.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        var usages = cert.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value).ToList();
        Assert.Contains("1.3.6.1.5.5.7.3.1", usages);
        Assert.Contains("1.3.6.1.5.5.7.3.2", usages);
        Assert.True(Chains(cert, authority.PathOf(LocalCertificateAuthority.ServerCaCertFile)));
        Assert.False(Chains(cert, authority.PathOf(LocalCertificateAuthority.ClientCaCertFile)));
    }

    private bool Chains(X509Certificate2 leaf, string caFile)
    {
        using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(caFile));
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = _time.GetUtcNow().UtcDateTime.AddHours(1);
        return chain.Build(leaf);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
