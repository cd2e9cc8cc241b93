"""Instrument names and synonyms in five languages, mapped onto the engine's instrument table."""

from __future__ import annotations

from engine.genres import GENRES
from engine.instruments import INSTRUMENTS

# Canonical name (a key of engine.instruments.INSTRUMENTS) → extra words for it. The canonical name
# itself always counts, so only synonyms, spellings and translations are listed.
INSTRUMENT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "piano": ("grand piano", "acoustic piano", "pianoforte", "klavier", "klavierstuck", "piano piece", "flugel",
              "piano de cola", "piano a queue", "ivories"),
    "bright piano": ("bright acoustic piano", "pop piano"),
    "honky-tonk piano": ("honky tonk", "honky tonk piano", "saloon piano", "ragtime piano"),
    "electric piano": ("rhodes", "fender rhodes", "wurlitzer", "wurli", "e piano",
                       "piano electrico", "piano electrique", "e klavier", "piano eletrico"),
    "fm piano": ("dx7", "dx7 piano", "fm electric piano"),
    "harpsichord": ("clavecin", "cembalo", "clavicembalo", "cravo"),
    "clavinet": ("clav",),
    "celesta": ("celeste",),
    "glockenspiel": ("glock", "bells", "campanitas", "carillon", "glockchen"),
    "music box": ("musicbox", "caja de musica", "boite a musique", "spieluhr", "caixa de musica"),
    "vibraphone": ("vibes", "vibraphon", "vibrafono", "vibrafone"),
    "marimba": ("marimbas",),
    "xylophone": ("xylofon", "xilofono", "xilofone", "xylophon"),
    "tubular bells": ("chimes", "church bells", "campanas"),
    "dulcimer": ("hammered dulcimer", "santur", "cimbalom"),
    "organ": ("hammond", "hammond organ", "b3", "organo", "orgue", "orgel", "orgao"),
    "rock organ": ("drawbar organ",),
    "church organ": ("pipe organ", "cathedral organ", "organo de iglesia", "orgue d eglise",
                     "kirchenorgel", "orgao de igreja"),
    "accordion": ("accordian", "acordeon", "accordeon", "akkordeon", "acordeao", "squeezebox"),
    "harmonica": ("blues harp", "mouth organ", "armonica", "mundharmonika", "harmonique", "gaita de boca"),
    "bandoneon": ("bandoneon", "bandonion", "bandoneao"),
    "nylon guitar": ("classical guitar", "spanish guitar", "flamenco guitar", "nylon string guitar",
                     "guitarra clasica", "guitarra espanola", "guitare classique", "konzertgitarre",
                     "violao", "violao de nylon"),
    "acoustic guitar": ("steel guitar", "steel string guitar", "folk guitar", "guitarra acustica",
                        "guitare acoustique", "akustikgitarre", "akustische gitarre", "violao de aco"),
    "jazz guitar": ("hollow body guitar", "archtop guitar", "guitarra de jazz", "guitare jazz"),
    "electric guitar": ("clean guitar", "e guitar", "guitarra electrica", "guitare electrique",
                        "e gitarre", "elektrische gitarre", "guitarra eletrica", "strat", "telecaster"),
    "muted guitar": ("palm muted guitar", "muted guitars"),
    "overdriven guitar": ("overdrive guitar", "crunchy guitar", "crunch guitar"),
    "distorted guitar": ("distortion guitar", "heavy guitar", "metal guitar", "power chords",
                         "guitarra distorsionada", "guitare saturee", "verzerrte gitarre",
                         "guitarra distorcida", "shred guitar"),
    "acoustic bass": ("upright bass", "double bass", "stand up bass", "bajo acustico", "contrabajo",
                      "contrebasse", "kontrabass", "baixo acustico", "walking bass"),
    "electric bass": ("bass guitar", "electric bass guitar", "bajo electrico", "basse electrique",
                      "e bass", "baixo eletrico"),
    "picked bass": ("pick bass",),
    "fretless bass": ("fretless",),
    "slap bass": ("slapped bass", "funk bass", "bajo slap", "basse slap"),
    "synth bass": ("synthbass", "bass synth", "moog bass", "sub bass", "acid bass", "wobble bass",
                   "reese bass", "bajo sintetizado"),
    "808 bass": ("808", "808s", "808 bassline", "tr 808"),
    "violin": ("violins", "fiddle solo", "violin solo", "violin", "violon", "geige", "violine",
               "violino", "violín"),
    "second violin": ("violin ii", "violin 2", "2nd violin", "second violins", "segundo violin",
                      "second violon", "zweite geige"),
    "viola": ("violas", "alto violin", "bratsche", "viola da braccio"),
    "cello": ("violoncello", "cellos", "violonchelo", "violoncelle", "violoncelo", "chelo"),
    "contrabass": ("orchestral bass", "bass section"),
    "tremolo strings": ("string tremolo", "tremolo"),
    "pizzicato strings": ("pizzicato", "plucked strings", "pizz"),
    "harp": ("arpa", "harpe", "harfe", "harpa", "concert harp", "celtic harp"),
    "timpani": ("kettle drums", "kettledrums", "timbales", "pauken", "tympani", "timbales orquestales"),
    "strings": ("string section", "string orchestra", "string ensemble", "orchestral strings",
                "cuerdas", "cordes", "streicher", "cordas", "seccion de cuerdas"),
    "slow strings": ("lush strings", "legato strings", "warm strings"),
    "synth strings": ("string synth", "string machine", "solina"),
    "choir": ("voices", "vocals", "choral", "coro", "choeur", "chor", "aahs", "ahh",
              "chant", "chants", "gregorian chant", "canto"),
    "voice": ("singer", "vocal", "humming", "voz", "voix", "stimme", "soprano voice"),
    "bass voice": ("bass singer", "basso", "basso profundo", "bass vocals"),
    "synth voice": ("vocoder", "synth choir", "voice synth"),
    "orchestra hit": ("orch hit", "orchestral hit", "stabs", "orchestra stab"),
    "trumpet": ("trumpets", "trompeta", "trompette", "trompete", "cornet", "flugelhorn", "bugle"),
    "trombone": ("trombon", "posaune", "trombones"),
    "second trumpet": ("trumpet ii", "trumpet 2", "2nd trumpet", "segunda trompeta"),
    "tuba": ("sousaphone", "euphonium"),
    "muted trumpet": ("mute trumpet", "harmon mute", "trompeta con sordina"),
    "french horn": ("horn", "horns", "french horns", "corno", "cor", "waldhorn", "trompa",
                    "corno frances", "cor d harmonie", "horn section"),
    "brass section": ("brass", "brass band", "metales", "seccion de metales", "cuivres",
                      "blechblaser", "metais", "big band brass"),
    "synth brass": ("brass synth", "synth horns"),
    "soprano sax": ("soprano saxophone", "saxo soprano", "sopransaxophon"),
    "alto sax": ("alto saxophone", "saxo alto", "altsaxophon", "saxofone alto"),
    "tenor sax": ("tenor saxophone", "saxo tenor", "tenorsaxophon", "saxofone tenor"),
    "baritone sax": ("bari sax", "baritone saxophone", "saxo baritono", "baritonsaxophon"),
    "oboe": ("hautbois", "oboe", "obo", "oboé"),
    "english horn": ("cor anglais", "corno ingles", "englischhorn"),
    "bassoon": ("fagot", "basson", "fagott", "fagote", "bassoons"),
    "clarinet": ("clarinete", "clarinette", "klarinette", "clarinetto"),
    "piccolo": ("piccolo flute", "flautin", "pikkolo", "flautim", "petite flute"),
    "flute": ("flauta", "flute traversiere", "flote", "querflote", "flautas", "concert flute"),
    "recorder": ("flauta dulce", "flute a bec", "blockflote", "flauta doce", "descant recorder"),
    "pan flute": ("panpipes", "pan pipes", "panflute", "zampona", "flute de pan", "panflote",
                  "flauta de pa", "flauta de pan", "quena"),
    "blown bottle": ("bottle", "bottles"),
    "shakuhachi": ("japanese flute", "bamboo flute"),
    "tin whistle": ("penny whistle", "pennywhistle", "irish whistle", "whistle", "low whistle",
                    "flauta irlandesa", "tin flute"),
    "ocarina": ("ocarinas",),
    "square lead": ("square wave", "chip lead", "8 bit lead", "nes lead", "pulse wave"),
    "synth lead": ("lead synth", "synth", "synthesizer", "synthesiser", "sintetizador", "synthetiseur",
                   "synthesizer lead", "saw lead"),
    "calliope": ("steam organ", "circus organ", "fairground organ"),
    "supersaw": ("super saw", "supersaws", "trance synth", "saw chords"),
    "new age pad": ("fantasia pad", "new age synth"),
    "synth pad": ("pad", "pads", "warm pad", "atmosphere pad", "ambient pad", "colchon", "nappe"),
    "polysynth": ("poly synth", "juno", "analog synth", "analogue synth", "synth chords"),
    "choir pad": ("space voice", "choir synth pad"),
    "bowed pad": ("bowed glass", "glass pad"),
    "halo pad": ("halo",),
    "sweep pad": ("sweep", "sweeps"),
    "sitar": ("sitars", "sitar"),
    "banjo": ("banjos", "banyo"),
    "shamisen": ("samisen",),
    "koto": ("kotos", "japanese harp"),
    "kalimba": ("mbira", "thumb piano", "sanza"),
    "bagpipe": ("bagpipes", "pipes", "highland pipes", "gaita", "cornemuse", "dudelsack", "gaita de foles"),
    "fiddle": ("fiddles", "country fiddle", "irish fiddle"),
    "shanai": ("shehnai",),
    "steel drums": ("steel drum", "steelpan", "steel pan", "steelband", "pan drum"),
    "taiko": ("taiko drums", "japanese drums", "war drums"),
    "ukulele": ("uke", "ukelele", "ukulele", "cavaquinho"),
    "mandolin": ("mandolina", "mandoline", "mandoline", "bandolim"),
}

# Words that name a family rather than one instrument; the genre picks the member (see `resolve`).
GENERIC_WORDS: dict[str, tuple[str, ...]] = {
    "guitar": ("guitar", "guitars", "guitarra", "guitarras", "guitare", "guitares", "gitarre", "gitarren"),
    "bass": ("bass", "bassline", "bass line", "bajo", "basse", "baixo", "low end"),
    "sax": ("sax", "saxophone", "saxophones", "saxofon", "saxo", "saxophon", "saxofone"),
    "keys": ("keys", "keyboard", "keyboards", "teclado", "clavier", "tasten", "keyboard"),
}

# The member of a family each genre reaches for; anything unlisted gets the family default.
_GENERIC_BY_GENRE: dict[str, dict[str, str]] = {
    "guitar": {
        "metal": "distorted guitar", "punk": "distorted guitar", "rock": "electric guitar",
        "blues": "electric guitar", "funk": "muted guitar", "disco": "muted guitar",
        "pop": "acoustic guitar", "synthwave": "electric guitar", "jazz": "jazz guitar",
        "soul": "jazz guitar", "bossa nova": "nylon guitar", "latin": "nylon guitar",
        "tango": "nylon guitar", "classical": "nylon guitar", "baroque": "nylon guitar",
        "lullaby": "nylon guitar", "lofi": "jazz guitar", "hip hop": "electric guitar",
        "reggae": "electric guitar", "gospel": "electric guitar",
    },
    "sax": {"jazz": "tenor sax", "blues": "tenor sax", "funk": "tenor sax"},
    "keys": {"lofi": "electric piano", "soul": "electric piano", "funk": "clavinet", "jazz": "piano",
             "gospel": "organ", "reggae": "organ", "synthwave": "polysynth", "house": "electric piano"},
}
_GENERIC_DEFAULT = {"guitar": "acoustic guitar", "sax": "alto sax", "keys": "piano", "bass": "electric bass"}


def resolve(word: str, genre: str) -> str:
    """The canonical instrument a generic word means in this genre ('guitar' in metal → distorted)."""
    if word in INSTRUMENTS:
        return word
    if word == "bass":
        bass_parts = [name for name, role in GENRES[genre].parts if role == "bass"]
        return bass_parts[0] if bass_parts else _GENERIC_DEFAULT["bass"]
    return _GENERIC_BY_GENRE.get(word, {}).get(genre, _GENERIC_DEFAULT[word])


def instrument_phrases() -> dict[str, str]:
    """Every instrument phrase (unfolded) → canonical name or generic family word."""
    phrases: dict[str, str] = {name: name for name in INSTRUMENTS}
    for generic, words in GENERIC_WORDS.items():
        phrases.update(dict.fromkeys(words, generic))
    for name, words in INSTRUMENT_SYNONYMS.items():
        phrases.update(dict.fromkeys(words, name))
    return phrases


# Which genre an instrument suggests when the request names no genre at all.
INSTRUMENT_GENRES: dict[str, str] = {
    "harpsichord": "baroque", "violin": "classical", "viola": "classical", "cello": "classical",
    "contrabass": "classical", "strings": "classical", "harp": "classical", "oboe": "classical",
    "bassoon": "classical", "clarinet": "classical", "flute": "classical", "piccolo": "classical",
    "english horn": "classical", "french horn": "cinematic", "timpani": "cinematic",
    "choir": "cinematic", "orchestra hit": "cinematic", "tremolo strings": "cinematic",
    "distorted guitar": "metal", "overdriven guitar": "rock", "electric guitar": "rock",
    "tin whistle": "celtic", "bagpipe": "celtic", "fiddle": "folk", "banjo": "country",
    "mandolin": "folk", "bandoneon": "tango", "accordion": "folk", "square lead": "chiptune",
    "808 bass": "trap", "supersaw": "edm", "synth lead": "synthwave", "polysynth": "synthwave",
    "synth pad": "ambient", "halo pad": "ambient", "new age pad": "ambient", "sitar": "ambient",
    "koto": "ambient", "shakuhachi": "ambient", "kalimba": "ambient", "shamisen": "ambient",
    "steel drums": "reggae", "nylon guitar": "bossa nova", "tenor sax": "jazz", "alto sax": "jazz",
    "soprano sax": "jazz", "baritone sax": "jazz", "muted trumpet": "jazz", "vibraphone": "jazz",
    "jazz guitar": "jazz", "acoustic bass": "jazz", "harmonica": "blues", "music box": "lullaby",
    "celesta": "lullaby", "glockenspiel": "lullaby", "church organ": "gospel", "organ": "gospel",
    "tuba": "march", "brass section": "march", "slap bass": "funk", "clavinet": "funk",
    "electric piano": "lofi", "marimba": "latin", "pan flute": "ambient", "recorder": "baroque",
    "synth bass": "synthwave", "ukulele": "pop", "acoustic guitar": "folk", "trumpet": "jazz",
    "pizzicato strings": "classical", "slow strings": "classical", "synth strings": "synthwave",
    "trombone": "jazz", "honky-tonk piano": "jazz",
}
