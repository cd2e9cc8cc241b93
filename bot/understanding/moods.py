"""Moods and what they mean musically: valence/arousal, mode, tempo and energy, in five languages."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Mood:
    """A mood label and its musical meaning; `mode` None keeps the genre's own mode."""

    label: str
    valence: float
    arousal: float
    mode: str | None
    tempo_factor: float
    energy_shift: float
    opposite: str


def _m(label: str, valence: float, arousal: float, mode: str | None, tempo: float, energy: float,
       opposite: str) -> Mood:
    return Mood(label, valence, arousal, mode, tempo, energy, opposite)


MOODS: dict[str, Mood] = {
    mood.label: mood
    for mood in (
        _m("sad", -0.7, -0.4, "minor", 0.85, -0.2, "happy"),
        _m("melancholic", -0.5, -0.3, "minor", 0.9, -0.15, "hopeful"),
        _m("happy", 0.8, 0.5, "major", 1.1, 0.15, "sad"),
        _m("calm", 0.4, -0.7, "major", 0.85, -0.25, "energetic"),
        _m("dreamy", 0.3, -0.5, "lydian", 0.88, -0.2, "tense"),
        _m("tense", -0.4, 0.6, "minor", 1.05, 0.1, "calm"),
        _m("dark", -0.6, 0.0, "minor", 0.95, 0.0, "happy"),
        _m("spooky", -0.6, 0.2, "phrygian", 0.9, -0.05, "happy"),
        _m("mysterious", -0.2, -0.1, "dorian", 0.95, -0.05, "happy"),
        _m("epic", 0.2, 0.8, "minor", 1.0, 0.25, "calm"),
        _m("triumphant", 0.7, 0.8, "major", 1.05, 0.25, "sad"),
        _m("romantic", 0.6, -0.2, "major", 0.9, -0.1, "angry"),
        _m("angry", -0.7, 0.9, "minor", 1.15, 0.3, "calm"),
        _m("energetic", 0.6, 0.9, None, 1.15, 0.3, "calm"),
        _m("nostalgic", 0.1, -0.3, "major", 0.95, -0.1, "energetic"),
        _m("playful", 0.7, 0.4, "major", 1.1, 0.1, "sad"),
        _m("hopeful", 0.6, 0.3, "major", 1.0, 0.05, "melancholic"),
    )
}

# Adjectives and nouns (English, Spanish, French, German, Portuguese) that name a mood.
MOOD_WORDS: dict[str, tuple[str, ...]] = {
    "sad": ("sad", "sadness", "sorrow", "sorrowful", "heartbroken", "heartbreak", "tearful", "crying",
            "depressing", "depressed", "cry", "tears", "grief", "grieving", "mournful", "tragic", "lonely", "blue",
            "triste", "tristeza", "tristesse", "traurig", "trauer", "melancolico", "lament"),
    "melancholic": ("melancholic", "melancholy", "melancolia", "bittersweet", "wistful", "pensive",
                    "melancolique", "melancholisch", "schwermutig"),
    "happy": ("happy", "joyful", "joy", "cheerful", "cheery", "sunny", "bright", "fun", "feel good",
              "good vibes", "jolly", "merry", "glad", "feliz", "alegre", "alegria", "heureux", "heureuse",
              "joyeux", "joyeuse", "gai", "frohlich", "glucklich", "lustig", "froh", "contente"),
    "calm": ("calm", "chill", "chilled", "chillout", "chill out", "relaxing", "relaxed", "relax",
             "peaceful", "serene", "tranquil", "gentle", "soothing", "mellow", "laid back", "cozy",
             "cosy", "soft", "quiet", "meditative", "tranquilo", "tranquila", "relajante", "calma",
             "suave", "calme", "paisible", "doux", "douce", "apaisant", "relaxant", "ruhig",
             "entspannt", "entspannend", "sanft", "gemutlich", "calmo", "calma", "relaxante", "tranquilo"),
    "dreamy": ("dreamy", "dream", "dreamlike", "ethereal", "floating", "hazy", "magical", "whimsical",
               "otherworldly", "sonador", "onirico", "reveur", "reveuse", "verträumt", "vertraumt",
               "traumerisch", "sonhador", "magico", "magique", "magisch"),
    "tense": ("tense", "tension", "suspense", "suspenseful", "anxious", "nervous", "thriller", "urgent",
              "danger", "dangerous", "chase", "stealth", "tenso", "tensa", "tendu", "tendue",
              "angespannt", "spannend", "suspenso"),
    "dark": ("dark", "gloomy", "grim", "ominous", "brooding", "sinister", "oscuro", "oscura", "sombrio",
             "sombre", "dunkel", "finster", "escuro", "escura", "noir"),
    "spooky": ("spooky", "scary", "creepy", "eerie", "haunted", "horror", "halloween", "ghost",
               "ghostly", "haunted house", "terrifying", "terror", "miedo", "aterrador", "effrayant", "angoissant",
               "gruselig", "unheimlich", "assustador", "macabro", "macabre"),
    "mysterious": ("mysterious", "mystery", "mystical", "enigmatic", "misterioso", "mysterieux",
                   "mysterieuse", "geheimnisvoll", "mystisch"),
    "epic": ("epic", "heroic", "hero", "grand", "grandiose", "majestic", "battle", "war", "fight",
             "legendary", "powerful", "epico", "epica", "epique", "episch", "heroico", "heroique",
             "heldenhaft", "batalla", "bataille", "schlacht", "batalha", "guerra"),
    "triumphant": ("triumphant", "victory", "victorious", "celebration", "celebratory",
                   "triunfal", "triomphant", "triumphal", "siegreich", "victoria", "vitoria"),
    "romantic": ("romantic", "romance", "in love", "love theme", "loving", "tender", "passionate", "sensual",
                 "wedding", "valentine", "romantico", "romantica", "amor", "romantique", "amour",
                 "romantisch", "liebe", "zartlich"),
    "angry": ("angry", "anger", "rage", "furious", "aggressive", "mad", "violent", "enojado", "furioso",
              "rabia", "colere", "furieux", "wutend", "wut", "zornig", "raiva", "bravo", "agresivo",
              "agressif", "aggressiv", "agressivo"),
    "energetic": ("energetic", "energy", "upbeat", "hype", "hyped", "pumped", "pumping", "driving",
                  "exciting", "excited", "lively", "dance", "danceable", "party", "workout", "gym",
                  "energico", "animado", "energique", "entrainant", "energisch", "lebhaft", "fiesta",
                  "fete", "energetico", "animada"),
    "nostalgic": ("nostalgic", "nostalgia", "memories", "memory", "retro", "old times", "throwback",
                  "nostalgico", "nostalgique", "nostalgisch", "saudade", "recuerdos", "souvenirs"),
    "playful": ("playful", "silly", "quirky", "funny", "cute", "bouncy", "goofy", "cartoon", "jugueton",
                "divertido", "ludique", "amusant", "verspielt", "witzig", "brincalhao", "engracado"),
    "hopeful": ("hopeful", "hope", "uplifting", "inspiring", "inspirational", "optimistic", "warm",
                "esperanza", "esperanzador", "inspirador", "espoir", "optimiste", "hoffnungsvoll",
                "hoffnung", "esperancoso", "edificante"),
}

# Comparatives that shift the mood of an existing piece ("make it sadder").
MOOD_COMPARATIVES: dict[str, tuple[str, ...]] = {
    "sad": ("sadder", "more sad", "gloomier", "trauriger", "mas triste", "plus triste", "mais triste"),
    "happy": ("happier", "brighter", "cheerier", "more cheerful", "more joyful", "jollier", "sunnier",
              "frohlicher", "glucklicher", "mas alegre", "mas feliz", "plus joyeux", "plus gai",
              "plus heureux", "mais alegre", "mais feliz", "heller"),
    "calm": ("calmer", "chiller", "more chill", "mellower", "more relaxed", "more relaxing",
             "more peaceful", "ruhiger", "entspannter", "mas tranquilo", "mas relajado", "plus calme",
             "plus doux", "mais calmo", "mais tranquilo"),
    "dreamy": ("dreamier", "more dreamy", "more ethereal", "vertraumter", "mas sonador", "plus reveur",
               "mais sonhador"),
    "tense": ("tenser", "more tense", "more suspenseful", "more urgent", "spannender", "mas tenso",
              "plus tendu", "mais tenso"),
    "dark": ("darker", "grimmer", "more ominous", "dunkler", "mas oscuro", "plus sombre", "plus sombre",
             "mais escuro", "mais sombrio"),
    "spooky": ("spookier", "scarier", "creepier", "eerier", "more spooky", "gruseliger", "mas aterrador",
               "plus effrayant", "mais assustador"),
    "epic": ("epicer", "more epic", "grander", "more heroic", "more powerful", "epischer", "mas epico",
             "plus epique", "mais epico"),
    "romantic": ("more romantic", "romantischer", "mas romantico", "plus romantique", "mais romantico"),
    "angry": ("angrier", "more aggressive", "meaner", "wutender", "aggressiver", "mas agresivo",
              "plus agressif", "mais agressivo"),
    "energetic": ("more energetic", "more upbeat", "livelier", "more lively", "more exciting", "punchier",
                  "energischer", "mas energico", "mas animado", "plus energique", "mais energico",
                  "mais animado"),
    "nostalgic": ("more nostalgic", "nostalgischer", "mas nostalgico", "plus nostalgique",
                  "mais nostalgico"),
    "playful": ("more playful", "sillier", "quirkier", "funnier", "verspielter", "mas divertido",
                "plus ludique", "mais divertido"),
    "hopeful": ("more hopeful", "more uplifting", "more inspiring", "hoffnungsvoller",
                "mas esperanzador", "plus optimiste", "mais esperancoso"),
    "mysterious": ("more mysterious", "mysteriouser", "geheimnisvoller", "mas misterioso", "plus mysterieux",
                   "mais misterioso"),
    "triumphant": ("more triumphant", "more victorious", "triumphanter", "mas triunfal", "plus triomphant",
                   "mais triunfal"),
    "melancholic": ("more melancholic", "more wistful", "more bittersweet", "melancholischer",
                    "mas melancolico", "plus melancolique", "mais melancolico"),
}


def mood(label: str) -> Mood:
    """The mood with this label; KeyError names the unknown one."""
    return MOODS[label]
