using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using RabbitMQ.Client;

namespace CrossMargin.Cluster.RabbitMq;

/// <summary>Reads <see cref="RabbitMqTlsOptions"/> into the client's <see cref="SslOption"/>, and a certificate's login name.</summary>
internal static class RabbitMqTls
{
    private const string CommonNameOid = "2.5.4.3";

    /// <summary>
    /// The TLS settings for a connection to <paramref name="host"/>, the client certificate (null without one) and the
    /// check that verifies the broker.
    /// </summary>
    /// <exception cref="ArgumentException">A file cannot be read as what it should be (the message names the setting and file, never a password).</exception>
    public static (SslOption Ssl, X509Certificate2? Client, BrokerCertificateCheck Check) Create(RabbitMqTlsOptions tls, string host)
    {
        var trusted = string.IsNullOrEmpty(tls.CaFile) ? null : ReadCa(tls.CaFile);
        var check = new BrokerCertificateCheck(trusted, string.IsNullOrEmpty(tls.CaFile) ? "the system's trust store" : $"RabbitMq:Tls:CaFile '{tls.CaFile}'");
        var client = string.IsNullOrEmpty(tls.ClientCertificateFile) ? null : ReadClientCertificate(tls);
        var ssl = new SslOption
        {
            Enabled = true,
            ServerName = string.IsNullOrEmpty(tls.ServerName) ? host : tls.ServerName,
            CertificateValidationCallback = check.Validate,
            CertificateSelectionCallback = (_, _, _, _, _) => client!,
            Certs = client is null ? null : new X509CertificateCollection { client },
        };
        return (ssl, client, check);
    }

    /// <summary>The subject's one common name (what the broker logs in under <c>ssl_cert_login_from = common_name</c>).</summary>
    /// <exception cref="ArgumentException">The subject has no common name, or more than one.</exception>
    public static string CommonNameOf(X509Certificate2 certificate)
    {
        var names = certificate.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(r => !r.HasMultipleElements && r.GetSingleElementType().Value == CommonNameOid)
            .Select(r => r.GetSingleElementValue())
            .ToArray();
        return names is [{ Length: > 0 } name]
            ? name
            : throw new ArgumentException(
                $"The client certificate's subject ({certificate.Subject}) has {(names.Length == 0 ? "no common name" : "more than one common name")}: " +
                $"set RabbitMq:ExternalUserFrom={RabbitMqOptions.ExternalUserFromUserName} and RabbitMq:UserName to the user the broker logs it in as.");
    }

    private static X509Certificate2Collection ReadCa(string path)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"RabbitMq:Tls:CaFile '{path}' could not be read as PEM certificates: {e.Message}", e);
        }

        return certificates.Count > 0 ? certificates : throw new ArgumentException($"RabbitMq:Tls:CaFile '{path}' holds no PEM certificate.");
    }

    private static X509Certificate2 ReadClientCertificate(RabbitMqTlsOptions tls)
    {
        var path = tls.ClientCertificateFile!;
        try
        {
            X509Certificate2 certificate;
            if (Path.GetExtension(path).ToUpperInvariant() is ".PFX" or ".P12")
            {
                certificate = X509CertificateLoader.LoadPkcs12FromFile(path, tls.ClientCertificatePassword);
            }
            else
            {
                var key = string.IsNullOrEmpty(tls.ClientKeyFile) ? null : tls.ClientKeyFile;
                certificate = string.IsNullOrEmpty(tls.ClientCertificatePassword)
                    ? X509Certificate2.CreateFromPemFile(path, key)
                    : X509Certificate2.CreateFromEncryptedPemFile(path, tls.ClientCertificatePassword, key);
            }

            return certificate.HasPrivateKey
                ? certificate
                : throw new ArgumentException($"RabbitMq:Tls:ClientCertificateFile '{path}' has no private key (give RabbitMq:Tls:ClientKeyFile).");
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            // The exception's own text never carries the password; the key file is named so a mismatch is found.
            throw new ArgumentException(
                $"RabbitMq:Tls:ClientCertificateFile '{path}'{(string.IsNullOrEmpty(tls.ClientKeyFile) ? "" : $" with key '{tls.ClientKeyFile}'")} could not be read: {e.Message}", e);
        }
    }
}
