using System.Security.Cryptography.X509Certificates;

namespace Octavia.Amphora;

/// <summary>
/// The agent's server certificate, read from its PEM file again whenever the file's modification time or
/// size changes, so that a certificate rotated through <c>PUT /1.0/certificate</c> is presented from the next
/// handshake on without a restart. A file that cannot be read keeps the last good certificate in service.
/// </summary>
public sealed class ServerCertificateSource(string file)
{
    private readonly Lock _lock = new();
    private (DateTime Modified, long Length) _stamp;
    private X509Certificate2? _certificate;

    public X509Certificate2 Current
    {
        get
        {
            var info = new FileInfo(file);
            var stamp = (info.LastWriteTimeUtc, info.Exists ? info.Length : -1);
            lock (_lock)
            {
                if (_certificate is null || stamp != _stamp)
                {
                    try
                    {
                        using var loaded = X509Certificate2.CreateFromPemFile(file, file);
                        // Kestrel needs the key usable by SslStream; an ephemeral PEM key is exported once here.
                        _certificate = X509CertificateLoader.LoadPkcs12(loaded.Export(X509ContentType.Pkcs12), null);
                        _stamp = stamp;
                    }
                    catch (Exception e) when (_certificate is not null && e is IOException or System.Security.Cryptography.CryptographicException)
                    {
                        // Keep serving the previous certificate; the next handshake tries again.
                    }
                }

                return _certificate;
            }
        }
    }
}
