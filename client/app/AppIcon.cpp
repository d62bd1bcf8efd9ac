#include "AppIcon.h"

#include <QFont>
#include <QLinearGradient>
#include <QPainter>
#include <QPainterPath>

using namespace Qt::StringLiterals;

namespace pitchey::app {

QImage drawAppIcon(int size)
{
    QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.scale(size / 64.0, size / 64.0); // drawn on a 64 x 64 grid

    QLinearGradient background(0, 2, 0, 62);
    background.setColorAt(0, QColor(0x4a, 0x95, 0xff));
    background.setColorAt(1, QColor(0x1f, 0x5f, 0xd6));
    painter.setPen(Qt::NoPen);
    painter.setBrush(background);
    painter.drawRoundedRect(QRectF(2, 2, 60, 60), 14, 14);

    // The bubble, with its tail at the lower left.
    QPainterPath bubble;
    bubble.addRoundedRect(QRectF(12, 14, 40, 28), 10, 10);
    QPainterPath tail;
    tail.moveTo(20, 38);
    tail.lineTo(16, 50);
    tail.lineTo(30, 41);
    tail.closeSubpath();
    painter.setBrush(Qt::white);
    painter.drawPath(bubble.united(tail));

    painter.setBrush(QColor(0x1f, 0x5f, 0xd6));
    for (int i = 0; i < 3; ++i)
        painter.drawEllipse(QPointF(22 + i * 10, 28), 3.2, 3.2);
    return image;
}

QImage drawAppIconWithBadge(int size, int unread)
{
    QImage image = drawAppIcon(size);
    if (unread <= 0)
        return image;
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    const qreal badge = size * 0.55;
    const QRectF circle(size - badge, 0, badge, badge);
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(0xe0, 0x24, 0x24));
    painter.drawEllipse(circle);
    QFont font = painter.font();
    font.setBold(true);
    font.setPixelSize(int(badge * (unread > 9 ? 0.45 : 0.6)));
    painter.setFont(font);
    painter.setPen(Qt::white);
    painter.drawText(circle, Qt::AlignCenter, unread > 99 ? u"99+"_s : QString::number(unread));
    return image;
}

} // namespace pitchey::app
