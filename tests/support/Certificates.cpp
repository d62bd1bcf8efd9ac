#include "Certificates.h"

#include <QProcess>

using namespace Qt::StringLiterals;

namespace pitchey::testing {

bool makeSelfSignedCertificate(const QString &dir, const QString &altName)
{
    const QString commonName = altName.section(u':', 1);
    QProcess openssl;
    openssl.start(u"openssl"_s, {u"req"_s, u"-x509"_s, u"-newkey"_s, u"rsa:2048"_s, u"-nodes"_s,
                                 u"-keyout"_s, dir + "/key.pem"_L1, u"-out"_s, dir + "/cert.pem"_L1,
                                 u"-days"_s, u"1"_s, u"-subj"_s, u"/CN="_s + commonName,
                                 u"-addext"_s, u"subjectAltName="_s + altName});
    return openssl.waitForFinished(30000) && openssl.exitStatus() == QProcess::NormalExit &&
           openssl.exitCode() == 0;
}

} // namespace pitchey::testing
