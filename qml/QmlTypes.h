#pragma once

#include "controllers/ChatController.h"
#include "controllers/SessionController.h"
#include "controllers/SettingsController.h"
#include "models/ConversationListModel.h"
#include "models/EmojiModel.h"
#include "models/MessageListModel.h"
#include "models/UserSearchModel.h"

#include <QQmlEngine>
#include <QtQml/qqmlregistration.h>

// How QML sees client_core: the library knows nothing of QML, these wrappers register its
// controllers (as singletons built by the app, see Messenger) and models (by type, so
// that QML can read their enums).
namespace pitchey::qml {

template<typename T> T *handOut(T *instance, QQmlEngine *engine)
{
    Q_ASSERT_X(instance, "Pitchey", "the app must create the controllers before loading QML");
    QQmlEngine::setObjectOwnership(instance, QQmlEngine::CppOwnership);
    Q_UNUSED(engine)
    return instance;
}

struct SessionForeign
{
    Q_GADGET
    QML_FOREIGN(pitchey::client::SessionController)
    QML_NAMED_ELEMENT(Session)
    QML_SINGLETON

public:
    static inline pitchey::client::SessionController *instance = nullptr;
    static pitchey::client::SessionController *create(QQmlEngine *engine, QJSEngine *)
    {
        return handOut(instance, engine);
    }
};

struct ChatForeign
{
    Q_GADGET
    QML_FOREIGN(pitchey::client::ChatController)
    QML_NAMED_ELEMENT(Chat)
    QML_SINGLETON

public:
    static inline pitchey::client::ChatController *instance = nullptr;
    static pitchey::client::ChatController *create(QQmlEngine *engine, QJSEngine *)
    {
        return handOut(instance, engine);
    }
};

struct SettingsForeign
{
    Q_GADGET
    QML_FOREIGN(pitchey::client::SettingsController)
    QML_NAMED_ELEMENT(Settings)
    QML_SINGLETON

public:
    static inline pitchey::client::SettingsController *instance = nullptr;
    static pitchey::client::SettingsController *create(QQmlEngine *engine, QJSEngine *)
    {
        return handOut(instance, engine);
    }
};

struct FileStagingForeign
{
    Q_GADGET
    QML_FOREIGN(pitchey::client::FileStaging)
    QML_NAMED_ELEMENT(FileStaging)
    QML_UNCREATABLE("provided by Chat")
};

struct ConversationListModelForeign
{
    Q_GADGET
    QML_FOREIGN(pitchey::client::ConversationListModel)
    QML_NAMED_ELEMENT(ConversationListModel)
    QML_UNCREATABLE("provided by Chat")
};

struct MessageListModelForeign
{
    Q_GADGET
    QML_FOREIGN(pitchey::client::MessageListModel)
    QML_NAMED_ELEMENT(MessageListModel)
    QML_UNCREATABLE("provided by Chat")
};

struct EmojiModelForeign
{
    Q_GADGET
    QML_FOREIGN(pitchey::client::EmojiModel)
    QML_NAMED_ELEMENT(EmojiModel)
    QML_UNCREATABLE("provided by Chat")
};

struct UserSearchModelForeign
{
    Q_GADGET
    QML_FOREIGN(pitchey::client::UserSearchModel)
    QML_NAMED_ELEMENT(UserSearchModel)
    QML_UNCREATABLE("provided by Chat")
};

} // namespace pitchey::qml
