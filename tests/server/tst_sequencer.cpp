// MessageSequencer: a conversation's messages go out in the order they were committed,
// whatever order they arrive in; a predecessor that never comes holds nothing for ever.
#include "messaging/MessageSequencer.h"

#include <QTest>

using namespace pitchey::server;
using namespace std::chrono_literals;

class TestSequencer : public QObject
{
    Q_OBJECT

private:
    QList<qint64> m_out;

    MessageSequencer::Deliver record(qint64 id)
    {
        return [this, id] { m_out.append(id); };
    }

private Q_SLOTS:
    void init() { m_out.clear(); }

    void inOrderGoesStraightThrough()
    {
        MessageSequencer sequencer(1s);
        sequencer.arrived(1, 10, 0, record(10));
        sequencer.arrived(1, 11, 10, record(11));
        sequencer.arrived(1, 12, 11, record(12));
        QCOMPARE(m_out, (QList<qint64>{10, 11, 12}));
        QCOMPARE(sequencer.heldCount(), 0);
    }

    void aMessageWaitsForItsPredecessor()
    {
        MessageSequencer sequencer(5s);
        sequencer.arrived(1, 10, 0, record(10));
        // 12 and 13 (stored by another node after 11) arrive before 11.
        sequencer.arrived(1, 13, 12, record(13));
        sequencer.arrived(1, 12, 11, record(12));
        QCOMPARE(m_out, (QList<qint64>{10}));
        QCOMPARE(sequencer.heldCount(), 2);
        // Another conversation is not held up.
        sequencer.arrived(2, 20, 0, record(20));
        QCOMPARE(m_out, (QList<qint64>{10, 20}));
        sequencer.arrived(1, 11, 10, record(11));
        QCOMPARE(m_out, (QList<qint64>{10, 20, 11, 12, 13}));
        QCOMPARE(sequencer.heldCount(), 0);
    }

    void aConversationFirstSeenHereWaitsForNothing()
    {
        MessageSequencer sequencer(5s);
        sequencer.arrived(3, 40, 39, record(40)); // 39 went out before this node started
        sequencer.arrived(3, 41, 40, record(41));
        QCOMPARE(m_out, (QList<qint64>{40, 41}));
    }

    void aPredecessorThatNeverComesIsGivenUpOn()
    {
        MessageSequencer sequencer(200ms);
        sequencer.arrived(1, 10, 0, record(10));
        sequencer.arrived(1, 13, 12, record(13)); // 11 and 12 are lost
        sequencer.arrived(1, 14, 13, record(14));
        QCOMPARE(m_out, (QList<qint64>{10}));
        QTRY_COMPARE_WITH_TIMEOUT(m_out, (QList<qint64>{10, 13, 14}), 5000);
        QCOMPARE(sequencer.heldCount(), 0);
        // Late after all: delivered (the client sorts it in), and the chain goes on.
        sequencer.arrived(1, 12, 11, record(12));
        sequencer.arrived(1, 15, 14, record(15));
        QCOMPARE(m_out, (QList<qint64>{10, 13, 14, 12, 15}));
    }

    void whileSuspendedNothingIsGivenUpOn()
    {
        // The cluster listener is down: the predecessor is known to come (the catch-up
        // reads it from the database), however long that takes.
        qint64 now = 1000;
        MessageSequencer sequencer(100ms, nullptr, [&now] { return now; });
        sequencer.arrived(1, 10, 0, record(10));
        sequencer.setPatienceSuspended(true);
        sequencer.arrived(1, 12, 11, record(12));
        now += 400; // four times the patience
        sequencer.checkPatience();
        QCOMPARE(m_out, (QList<qint64>{10}));
        // The catch-up brings 11 and finds 12 again: each goes out once, in order.
        QCOMPARE(sequencer.lastDelivered(1), std::optional<qint64>(10));
        sequencer.arrived(1, 11, 10, record(11));
        sequencer.arrived(1, 12, 11, record(12));
        sequencer.setPatienceSuspended(false);
        QCOMPARE(m_out, (QList<qint64>{10, 11, 12}));
        QCOMPARE(sequencer.lastDelivered(2), std::nullopt);
    }
};

QTEST_GUILESS_MAIN(TestSequencer)
#include "tst_sequencer.moc"
