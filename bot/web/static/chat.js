/* The chat page: rasa-webchat, embedded, talking to Rasa's socket.io channel.
   Settings (socket URL, Chinese labels) come from /config.js, written by the server. */
(function () {
  "use strict";
  var config = window.ASSISTANT_CONFIG;
  var texts = config.texts;
  var status = document.getElementById("chat-status");

  function showStatus(text) {
    status.textContent = text || "";
    status.hidden = !text;
  }

  // The widget shows nothing until it is connected: say so when Rasa cannot be reached.
  var waiting = setTimeout(function () {
    showStatus(texts.connecting);
  }, 2000);
  window.WebChat.default(
    {
      socketUrl: config.socketUrl,
      socketPath: config.socketPath,
      customData: { language: "zh" },
      // A new conversation opens with the help text and its example buttons.
      initPayload: "/help",
      title: texts.title,
      subtitle: texts.subtitle,
      inputTextFieldHint: texts.input_hint,
      connectingText: texts.connecting,
      embedded: true,
      showCloseButton: false,
      hideWhenNotConnected: false,
      // The conversation (session id and messages) survives reloads and browser restarts.
      params: { storage: "local" },
      onSocketEvent: {
        connect: function () {
          clearTimeout(waiting);
          showStatus("");
        },
        connect_error: function () {
          clearTimeout(waiting);
          showStatus(texts.unreachable);
        }
      },
      customMessageDelay: function () {
        return config.messageDelayMs;
      }
    },
    document.getElementById("webchat")
  );
})();
