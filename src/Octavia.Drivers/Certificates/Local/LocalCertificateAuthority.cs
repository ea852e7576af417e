using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Octavia.Core.Security;

namespace Octavia.Drivers.Certificates.Local;

/// <summary>
/// The controller's certificate authorities (upstream's local_cert_generator and
/// create_certificates.sh, reference/controller.md §6): a server CA that issues one certificate per
/// amphora, and a client CA that signs the controller's own client certificate. Files live under
/// <c>$state_path/certs</c>; keys are written with mode 0600 and never logged.
/// </summary>
public sealed class LocalCertificateAuthority(string directory, TimeProvider time)
{
    public const string ServerCaCertFile = "server_ca.pem";
    public const string ServerCaKeyFile = "server_ca.key";
    public const string ClientCaCertFile = "client_ca.pem";
    public const string ClientCaKeyFile = "client_ca.key";
    public const string ClientCertFile = "client.pem";
    public const string HeartbeatKeyFile = "heartbeat.key";

    private static readonly TimeSpan CaValidity = TimeSpan.FromDays(3650);
    private static readonly TimeSpan ClientValidity = TimeSpan.FromDays(3650);

    public string Directory { get; } = directory;

    public string PathOf(string file) => Path.Combine(Directory, file);

    /// <summary>The heartbeat key <see cref="Initialize"/> made, or null while there is none.</summary>
    public string? ReadHeartbeatKey() =>
        File.Exists(PathOf(HeartbeatKeyFile)) ? File.ReadAllText(PathOf(HeartbeatKeyFile)).Trim() : null;

    /// <summary>
    /// Creates whatever of the CAs, the controller's client certificate and the heartbeat key is missing;
    /// leaves existing files untouched, so running it twice changes nothing. Returns the files it wrote.
    /// </summary>
    public IReadOnlyList<string> Initialize()
    {
        System.IO.Directory.CreateDirectory(Directory);
        var written = new List<string>();
        if (!File.Exists(PathOf(ServerCaCertFile)) || !File.Exists(PathOf(ServerCaKeyFile)))
        {
            var (cert, key) = CreateCa("Octavia server CA");
            WritePublic(ServerCaCertFile, cert.ExportCertificatePem());
            WriteSecret(ServerCaKeyFile, key.ExportRSAPrivateKeyPem());
            written.AddRange([ServerCaCertFile, ServerCaKeyFile]);
        }

        var clientCaCreated = false;
        if (!File.Exists(PathOf(ClientCaCertFile)) || !File.Exists(PathOf(ClientCaKeyFile)))
        {
            var (cert, key) = CreateCa("Octavia client CA");
            WritePublic(ClientCaCertFile, cert.ExportCertificatePem());
            WriteSecret(ClientCaKeyFile, key.ExportRSAPrivateKeyPem());
            written.AddRange([ClientCaCertFile, ClientCaKeyFile]);
            clientCaCreated = true;
        }

        if (clientCaCreated || !File.Exists(PathOf(ClientCertFile)))
        {
            var (caCert, caKey) = Load(ClientCaCertFile, ClientCaKeyFile);
            using (caCert)
            using (caKey)
            {
                WriteSecret(ClientCertFile, Issue(caCert, caKey, "octavia-controller", ClientValidity, serverAuth: false).Pem);
            }

            written.Add(ClientCertFile);
        }

        if (!File.Exists(PathOf(HeartbeatKeyFile)))
        {
            WriteSecret(HeartbeatKeyFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n");
            written.Add(HeartbeatKeyFile);
        }

        return written;
    }

    /// <summary>
    /// An amphora's server certificate and key (PEM, concatenated, as upstream hands <c>server.pem</c> to the
    /// agent): RSA 2048, subject CN and SAN DNS = the amphora id, serverAuth + clientAuth, signed by the server CA.
    /// </summary>
    /// <param name="key">A key made ahead of time (it is disposed), or null to make one now.</param>
    public AmphoraCertificate IssueAmphoraCertificate(string amphoraId, TimeSpan validity, RSA? key = null)
    {
        // Loaded once: importing an RSA private key checks it (primality tests), 50-250 ms here.
        lock (_serverCaLock)
        {
            _serverCa ??= Load(ServerCaCertFile, ServerCaKeyFile);
            return Issue(_serverCa.Value.Cert, _serverCa.Value.Key, amphoraId, validity, serverAuth: true, key);
        }
    }

    private readonly Lock _serverCaLock = new();
    private (X509Certificate2 Cert, RSA Key)? _serverCa;

    private (X509Certificate2 Cert, RSA Key) CreateCa(string name)
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = Truncate(time.GetUtcNow());
        return (request.CreateSelfSigned(now.AddMinutes(-5), now + CaValidity), key);
    }

    private AmphoraCertificate Issue(X509Certificate2 caCert, RSA caKey, string commonName, TimeSpan validity, bool serverAuth, RSA? madeKey = null)
    {
        using var key = madeKey ?? RSA.Create(2048);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment | X509KeyUsageFlags.KeyAgreement, true));
        var usages = new OidCollection { new Oid("1.3.6.1.5.5.7.3.2") };
        if (serverAuth)
        {
            usages.Add(new Oid("1.3.6.1.5.5.7.3.1"));
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, true));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(commonName);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(caCert, true, false));

        var now = Truncate(time.GetUtcNow());
        var serial = Guid.NewGuid().ToByteArray();
        serial[0] &= 0x7F; // a positive serial
        using var signer = caCert.CopyWithPrivateKey(caKey);
        // A certificate cannot outlive the CA that signs it.
        var caNotAfter = new DateTimeOffset(caCert.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        var notAfter = now + validity < caNotAfter ? now + validity : caNotAfter;
        using var cert = request.Create(signer, now, notAfter, serial);
        return new AmphoraCertificate(cert.ExportCertificatePem() + "\n" + key.ExportRSAPrivateKeyPem() + "\n", notAfter.UtcDateTime);
    }

    private (X509Certificate2 Cert, RSA Key) Load(string certFile, string keyFile)
    {
        var cert = X509Certificate2.CreateFromPem(File.ReadAllText(PathOf(certFile)));
        var key = RSA.Create();
        key.ImportFromPem(File.ReadAllText(PathOf(keyFile)));
        return (cert, key);
    }

    private void WritePublic(string file, string pem) => File.WriteAllText(PathOf(file), pem + "\n");

    private void WriteSecret(string file, string content) => SecretFile.Write(PathOf(file), content);

    private static DateTimeOffset Truncate(DateTimeOffset t) => new(t.Year, t.Month, t.Day, t.Hour, t.Minute, t.Second, TimeSpan.Zero);
}

/// <summary>A certificate and its key as PEM (an amphora's server certificate, or the controller's client one), and when it expires.</summary>
public sealed record AmphoraCertificate(string Pem, DateTime NotAfter);
