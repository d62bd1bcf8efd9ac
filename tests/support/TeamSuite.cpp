#include "TeamSuite.h"

#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;

namespace pitchey::testing {

bool TeamSuite::startTeam(const Configure &configure)
{
    QTest::failOnWarning(
        QRegularExpression(u"query failed|prepare failed|commit failed|cannot begin"_s));
    stopTeam();
    m_server = std::make_unique<TestServer>([&configure](server::ServerConfig &config) {
        config.rateBurst = 1000;
        config.authBurst = 1000;
        if (configure)
            configure(config);
    });
    if (!m_server->start())
        return false;
    m_http = std::make_unique<HttpClient>(m_server->httpUrl({}));
    m_ann = m_http->registerUser(u"ann"_s);
    m_ben = m_http->registerUser(u"ben"_s);
    m_cyd = m_http->registerUser(u"cyd"_s);
    m_group = m_http->createConversation(m_ann, {m_ben.id, m_cyd.id}, u"Team"_s);
    return m_group > 0;
}

void TeamSuite::stopTeam()
{
    m_http.reset();
    m_server.reset();
}

} // namespace pitchey::testing
