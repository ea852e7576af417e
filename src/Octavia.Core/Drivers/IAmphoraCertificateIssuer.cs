namespace Octavia.Core.Drivers;

/// <summary>Issues an amphora's own server certificate (upstream's cert generator, reference/controller.md §6).</summary>
public interface IAmphoraCertificateIssuer
{
    IssuedCertificate Issue(string amphoraId);
}

/// <param name="Pem">Certificate and key in one PEM text.</param>
public sealed record IssuedCertificate(string Pem, DateTime NotAfter);
