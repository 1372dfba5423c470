#pragma once
// Sends WhatsApp outbox rows through the Graph API: replies (free text inside the 24-hour window),
// templates (outside it) and call rejections.
#include <memory>

#include "channels/adapter.hpp"
#include "gateway/settings.hpp"
#include "gateway/workers/outbox_dispatcher.hpp"

namespace anliegen::gateway {

std::shared_ptr<OutboxSender> make_whatsapp_sender(const WhatsAppSettings& settings,
                                                   std::shared_ptr<const channels::Adapter> adapter);

}  // namespace anliegen::gateway
