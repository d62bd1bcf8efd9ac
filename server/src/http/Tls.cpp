#include "http/Tls.h"

#include <QFile>
#include <QSslKey>

using namespace Qt::StringLiterals;

namespace pitchey::server {

Result<QSslConfiguration> loadTlsConfiguration(const QString &certFile, const QString &keyFile)
{
    QFile cert(certFile);
    QFile key(keyFile);
    if (!cert.open(QIODevice::ReadOnly))
        return Error::internal(u"cannot read the TLS certificate %1"_s.arg(certFile));
    if (!key.open(QIODevice::ReadOnly))
        return Error::internal(u"cannot read the TLS key %1"_s.arg(keyFile));
    const QList<QSslCertificate> chain = QSslCertificate::fromDevice(&cert, QSsl::Pem);
    if (chain.isEmpty())
        return Error::internal(u"%1 holds no PEM certificate"_s.arg(certFile));
    const QByteArray pem = key.readAll();
    QSslKey privateKey(pem, QSsl::Rsa, QSsl::Pem);
    if (privateKey.isNull())
        privateKey = QSslKey(pem, QSsl::Ec, QSsl::Pem);
    if (privateKey.isNull())
        return Error::internal(u"%1 holds no unencrypted RSA or EC private key"_s.arg(keyFile));

    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificateChain(chain);
    tls.setPrivateKey(privateKey);
    tls.setProtocol(QSsl::TlsV1_2OrLater);
    tls.setPeerVerifyMode(QSslSocket::VerifyNone); // clients authenticate with tokens
    return tls;
}

} // namespace pitchey::server
