using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace CrossMargin.Cluster.RabbitMq;

/// <summary>
/// Verifies the broker's TLS certificate: its name always, its chain against the configured CA file only (custom root
/// trust, the system's store not consulted) or against the system's store. Keeps the last refusal in words, so a failed
/// connect can say why instead of the TLS stack's "remote certificate is invalid".
/// </summary>
internal sealed class BrokerCertificateCheck
{
    private readonly X509Certificate2Collection? _trusted;
    private readonly string _trustedFrom;
    private string? _problem;

    /// <summary>Trusts <paramref name="trusted"/> (from <paramref name="trustedFrom"/>), or the system's store when null.</summary>
    public BrokerCertificateCheck(X509Certificate2Collection? trusted, string trustedFrom)
    {
        _trusted = trusted;
        _trustedFrom = trustedFrom;
    }

    /// <summary>Why the last broker certificate was refused (null when none was).</summary>
    public string? Problem => Volatile.Read(ref _problem);

    /// <summary>The <see cref="RemoteCertificateValidationCallback"/>.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return Refuse("the broker sent no certificate");
        }

        var subject = certificate.Subject;
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            var host = sender is SslStream { TargetHostName: { Length: > 0 } name } ? $" '{name}'" : "";
            return Refuse($"the broker's certificate ({subject}) is not issued for the name{host} (set RabbitMq:Tls:ServerName to a name it carries)");
        }

        if (_trusted is null)
        {
            return errors == SslPolicyErrors.None
                || Refuse($"the broker's certificate ({subject}) does not chain to a CA of the system's trust store ({Statuses(chain)})");
        }

        // The platform built its chain against the system's store; only the configured CAs are trusted here.
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_trusted);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        // The stack passes an X509Certificate2 it owns (not ours to dispose); a copy only for any other kind.
        using var copy = certificate is X509Certificate2 ? null : new X509Certificate2(certificate);
        return custom.Build(certificate as X509Certificate2 ?? copy!)
            || Refuse($"the broker's certificate ({subject}, issued by {certificate.Issuer}) does not chain to a CA in {_trustedFrom} ({Statuses(custom)})");
    }

    private bool Refuse(string problem)
    {
        Volatile.Write(ref _problem, problem);
        return false;
    }

    private static string Statuses(X509Chain? chain) =>
        chain is null ? "no chain" : string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()).Distinct());
}
