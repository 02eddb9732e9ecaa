"""Random-weight encoder-decoder models saved in Hugging Face layout, for offline builds.

`save_tiny_*` make the tiny-random presets (seconds to build, used by tests and CI).
`save_real_size_*` make the real architectures (ViT-base + GPT-2 124M, Marian base 6+6) with
random weights, for benchmarks. Both go through the same `--source-dir` / Hub path as the real
presets. Tokenizers are trained here on the sentences below (no Hub, no downloads); the
SentencePiece / BPE files are written in the same formats the real Hub repos ship.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

SEED = 0
# Short English sentences and their Brazilian-Portuguese translations (written for this
# project), enough text to train the tiny tokenizers.
PARALLEL_SENTENCES: tuple[tuple[str, str], ...] = (
    ("A cat is sleeping on the sofa.", "Um gato está dormindo no sofá."),
    ("A dog runs across the green field.", "Um cachorro corre pelo campo verde."),
    (
        "Two children are playing with a red ball.",
        "Duas crianças estão brincando com uma bola vermelha.",
    ),
    ("A man is riding a bicycle down the street.", "Um homem está andando de bicicleta pela rua."),
    ("A woman is reading a book in the park.", "Uma mulher está lendo um livro no parque."),
    (
        "A cup of coffee sits on a wooden table.",
        "Uma xícara de café está sobre uma mesa de madeira.",
    ),
    ("An astronaut floats above the Earth.", "Um astronauta flutua acima da Terra."),
    ("A rocket stands on the launch pad.", "Um foguete está na plataforma de lançamento."),
    ("The sun sets behind the mountains.", "O sol se põe atrás das montanhas."),
    ("A group of people walk along the beach.", "Um grupo de pessoas caminha pela praia."),
    ("A bird is sitting on a tree branch.", "Um pássaro está pousado num galho de árvore."),
    ("A plate of food with rice and beans.", "Um prato de comida com arroz e feijão."),
    ("A train is arriving at the station.", "Um trem está chegando à estação."),
    ("A small boat on a calm lake.", "Um pequeno barco num lago calmo."),
    ("A bus is parked next to the building.", "Um ônibus está estacionado ao lado do prédio."),
    ("The city lights shine at night.", "As luzes da cidade brilham à noite."),
    ("A horse is eating grass in the farm.", "Um cavalo está comendo grama na fazenda."),
    ("A young boy holds an umbrella in the rain.", "Um menino segura um guarda-chuva na chuva."),
    ("A kitchen with a white refrigerator.", "Uma cozinha com uma geladeira branca."),
    ("A person is surfing a big wave.", "Uma pessoa está surfando uma onda grande."),
    ("Two men are playing soccer on the grass.", "Dois homens estão jogando futebol na grama."),
    ("A pizza with cheese and tomatoes.", "Uma pizza com queijo e tomates."),
    ("A laptop computer on a desk.", "Um computador portátil sobre uma mesa."),
    ("A clock hangs on the wall.", "Um relógio está pendurado na parede."),
    ("Flowers are growing in the garden.", "Flores estão crescendo no jardim."),
    ("A girl is eating an ice cream.", "Uma menina está tomando um sorvete."),
    ("The airplane is flying over the clouds.", "O avião está voando sobre as nuvens."),
    ("A street sign on a busy corner.", "Uma placa de rua numa esquina movimentada."),
    ("An old car parked on the road.", "Um carro antigo estacionado na estrada."),
    ("A teddy bear sitting on a bed.", "Um urso de pelúcia sentado numa cama."),
    ("Good morning, how are you today?", "Bom dia, como você está hoje?"),
    ("Thank you very much for your help.", "Muito obrigado pela sua ajuda."),
    ("The weather is beautiful this afternoon.", "O tempo está lindo nesta tarde."),
    ("We are going to the market tomorrow.", "Nós vamos ao mercado amanhã."),
    ("Where is the nearest bus stop?", "Onde fica o ponto de ônibus mais próximo?"),
    ("I would like a glass of water, please.", "Eu gostaria de um copo de água, por favor."),
    ("The museum opens at nine o'clock.", "O museu abre às nove horas."),
    ("My brother lives in São Paulo.", "Meu irmão mora em São Paulo."),
    ("She speaks English and Portuguese.", "Ela fala inglês e português."),
    ("This picture shows a happy family.", "Esta foto mostra uma família feliz."),
    ("A black and white photo of a bridge.", "Uma foto em preto e branco de uma ponte."),
    ("The children are laughing together.", "As crianças estão rindo juntas."),
    ("A giraffe is standing near a tree.", "Uma girafa está de pé perto de uma árvore."),
    ("An elephant walks through the water.", "Um elefante caminha pela água."),
    ("A bowl of fruit with apples and bananas.", "Uma tigela de frutas com maçãs e bananas."),
    ("Snow covers the roofs of the houses.", "A neve cobre os telhados das casas."),
    ("A man is cooking dinner in the kitchen.", "Um homem está cozinhando o jantar na cozinha."),
    ("The library is quiet in the evening.", "A biblioteca fica silenciosa à noite."),
)


def english() -> list[str]:
    return [en for en, _ in PARALLEL_SENTENCES]


def portuguese() -> list[str]:
    return [pt for _, pt in PARALLEL_SENTENCES]


# --------------------------------------------------------------------------------------------
# ViT + GPT-2 (VisionEncoderDecoder)
# --------------------------------------------------------------------------------------------

TINY_VIT = {
    "image_size": 32,
    "patch_size": 8,
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 64,
}
TINY_GPT2 = {"n_embd": 32, "n_layer": 2, "n_head": 2, "n_positions": 64}
# Real sizes of nlpconnect/vit-gpt2-image-captioning (ViT-base/16 224 + GPT-2 124M).
REAL_VIT = {
    "image_size": 224,
    "patch_size": 16,
    "hidden_size": 768,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "intermediate_size": 3072,
}
REAL_GPT2 = {"n_embd": 768, "n_layer": 12, "n_head": 12, "n_positions": 1024}


def train_gpt2_tokenizer(vocab_size: int) -> Any:
    """A byte-level BPE like GPT-2's, with <|endoftext|> as BOS/EOS/PAD (id 0)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GPT2TokenizerFast

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=["<|endoftext|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(english() + portuguese(), trainer)
    return GPT2TokenizerFast(
        tokenizer_object=tokenizer,
        bos_token="<|endoftext|>",
        eos_token="<|endoftext|>",
        unk_token="<|endoftext|>",
        model_max_length=1024,
    )


def save_vit_gpt2(
    out: Path, *, vit: dict[str, Any], gpt2: dict[str, Any], init_std: float, vocab_size: int | None
) -> Path:
    """A random VisionEncoderDecoder (ViT + GPT-2) with tokenizer and image processor."""
    import torch
    from transformers import (
        GPT2Config,
        VisionEncoderDecoderConfig,
        VisionEncoderDecoderModel,
        ViTConfig,
        ViTImageProcessor,
    )

    tokenizer = train_gpt2_tokenizer(vocab_size=600)
    special = tokenizer.convert_tokens_to_ids("<|endoftext|>")
    encoder = ViTConfig(**vit, initializer_range=init_std)
    decoder = GPT2Config(
        **gpt2,
        vocab_size=vocab_size or len(tokenizer),
        bos_token_id=special,
        eos_token_id=special,
        add_cross_attention=True,
        is_decoder=True,
        initializer_range=init_std,
    )
    config = VisionEncoderDecoderConfig.from_encoder_decoder_configs(encoder, decoder)
    config.decoder_start_token_id = special
    config.pad_token_id = special
    config.eos_token_id = special
    torch.manual_seed(SEED)
    model = VisionEncoderDecoderModel(config=config).eval()
    model.generation_config.max_length = 16
    model.generation_config.decoder_start_token_id = special
    model.generation_config.pad_token_id = special
    model.generation_config.eos_token_id = special
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    size = vit["image_size"]
    ViTImageProcessor(
        size={"height": size, "width": size}, image_mean=[0.5] * 3, image_std=[0.5] * 3
    ).save_pretrained(out)
    return out


def save_tiny_vit_gpt2(out: Path) -> Path:
    # A larger init spread than the default 0.02 makes the random logits peaked, so greedy
    # choices are not decided by float noise (the parity tests compare token ids).
    return save_vit_gpt2(out, vit=TINY_VIT, gpt2=TINY_GPT2, init_std=0.5, vocab_size=None)


def save_real_size_vit_gpt2(out: Path) -> Path:
    return save_vit_gpt2(out, vit=REAL_VIT, gpt2=REAL_GPT2, init_std=0.02, vocab_size=50257)


# --------------------------------------------------------------------------------------------
# Marian (opus-mt)
# --------------------------------------------------------------------------------------------

TINY_MARIAN = {
    "d_model": 32,
    "encoder_layers": 2,
    "decoder_layers": 2,
    "encoder_attention_heads": 2,
    "decoder_attention_heads": 2,
    "encoder_ffn_dim": 64,
    "decoder_ffn_dim": 64,
    "max_position_embeddings": 128,
}
# Real sizes of Helsinki-NLP/opus-mt-en-ROMANCE (config.json: vocab 65001, 6+6, d=512).
REAL_MARIAN = {
    "d_model": 512,
    "encoder_layers": 6,
    "decoder_layers": 6,
    "encoder_attention_heads": 8,
    "decoder_attention_heads": 8,
    "encoder_ffn_dim": 2048,
    "decoder_ffn_dim": 2048,
    "max_position_embeddings": 512,
}
LANGUAGE_TOKENS = (">>pt_BR<<", ">>pt<<", ">>es<<", ">>fr<<")


def train_spm(lines: list[str], vocab_size: int) -> bytes:
    """A SentencePiece Unigram model (what opus-mt's source.spm / target.spm are)."""
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=model,
        vocab_size=vocab_size,
        model_type="unigram",
        hard_vocab_limit=False,
        character_coverage=1.0,
        unk_id=1,
        eos_id=0,
        bos_id=-1,
        pad_id=-1,
        num_threads=1,
        minloglevel=2,
    )
    return model.getvalue()


def spm_pieces(model: bytes) -> list[str]:
    import sentencepiece as spm

    processor = spm.SentencePieceProcessor(model_proto=model)
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def save_marian(
    out: Path,
    *,
    sizes: dict[str, Any],
    init_std: float,
    vocab_size: int | None,
    scale_embedding: bool = True,
) -> Path:
    """A random MarianMTModel with source.spm, target.spm, vocab.json like opus-mt repos."""
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    out.mkdir(parents=True, exist_ok=True)
    source_model = train_spm(english(), 200)
    target_model = train_spm(portuguese(), 200)
    (out / "source.spm").write_bytes(source_model)
    (out / "target.spm").write_bytes(target_model)
    # opus-mt layout: </s>=0, <unk>=1, language tokens, shared pieces, <pad> last.
    vocab: dict[str, int] = {"</s>": 0, "<unk>": 1}
    for piece in [*LANGUAGE_TOKENS, *spm_pieces(source_model), *spm_pieces(target_model)]:
        vocab.setdefault(piece, len(vocab))
    if vocab_size is not None:  # real-size benchmarks: pad the vocabulary to the real count
        for index in range(len(vocab), vocab_size - 1):
            vocab[f"<unused{index}>"] = index
    pad_id = len(vocab)
    vocab["<pad>"] = pad_id
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False))
    tokenizer = MarianTokenizer(
        source_spm=str(out / "source.spm"),
        target_spm=str(out / "target.spm"),
        vocab=str(out / "vocab.json"),
        source_lang="en",
        target_lang="pt_BR",
        model_max_length=512,
    )
    tokenizer.save_pretrained(out)

    config = MarianConfig(
        **sizes,
        vocab_size=len(vocab),
        decoder_vocab_size=len(vocab),
        pad_token_id=pad_id,
        decoder_start_token_id=pad_id,
        eos_token_id=0,
        bos_token_id=0,
        forced_eos_token_id=0,
        activation_function="swish",
        scale_embedding=scale_embedding,
        share_encoder_decoder_embeddings=True,
        init_std=init_std,
    )
    torch.manual_seed(SEED)
    model = MarianMTModel(config).eval()
    model.generation_config.bad_words_ids = [[pad_id]]
    model.generation_config.max_length = 64
    model.generation_config.num_beams = 1
    model.save_pretrained(out)
    return out


def save_tiny_marian(out: Path) -> Path:
    # Unscaled embeddings and a wide init give varied, well-separated greedy choices (random
    # Marians otherwise repeat one token), so token-level parity tests mean something.
    return save_marian(out, sizes=TINY_MARIAN, init_std=1.0, vocab_size=None, scale_embedding=False)


def save_real_size_marian(out: Path) -> Path:
    return save_marian(out, sizes=REAL_MARIAN, init_std=0.02, vocab_size=65001)
