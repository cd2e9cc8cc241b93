"""Genre names in five languages, and styles: named variants of a genre with their own defaults."""

from __future__ import annotations

from dataclasses import dataclass

from engine.genres import GENRES


@dataclass(frozen=True, slots=True)
class Style:
    """A named variant ('ballad', 'jig', 'jingle') that starts from a genre and overrides a few defaults.

    `genre` None means the word carries no genre of its own (a 'jingle' is any style, just short).
    """

    name: str
    genre: str | None
    tempo: tuple[int, int, int] | None = None
    meter: str | None = None
    mode: str | None = None
    parts: str | None = None  # "instrument:role, ..." like engine.genres
    drums: bool | None = None
    kit: str | None = None
    energy: float | None = None
    duration_s: float | None = None
    mood: str | None = None

    def part_pairs(self) -> tuple[tuple[str, str], ...] | None:
        """The style's own instrumentation as (instrument, role) pairs, or None to keep the genre's."""
        if self.parts is None:
            return None
        return tuple((item.split(":")[0].strip(), item.split(":")[1].strip())
                     for item in self.parts.split(","))


# Words for each genre of engine.genres (the genre's own name always counts).
GENRE_WORDS: dict[str, tuple[str, ...]] = {
    "pop": ("pop song", "pop music", "popular", "k pop", "kpop", "j pop", "jpop", "indie pop", "city pop",
            "bubblegum", "musica pop", "pop rock", "electropop", "dance pop"),
    "rock": ("rock and roll", "rock n roll", "rocknroll", "hard rock", "classic rock", "indie rock",
             "indie", "alternative", "alt rock", "grunge", "garage rock", "stoner rock", "post rock",
             "arena rock", "rockabilly", "surf rock", "rockig", "rockier", "rockero", "rock song", "prog rock"),
    "metal": ("heavy metal", "thrash", "thrash metal", "death metal", "black metal", "doom metal",
              "metalcore", "djent", "power metal", "nu metal", "metalero"),
    "punk": ("punk rock", "pop punk", "hardcore", "hardcore punk", "emo", "skate punk", "punkrock"),
    "jazz": ("jazzy", "jazzier", "cool jazz", "jazz club", "jazz standard", "jazz trio",
             "jazz quartet", "hard bop", "jazz manouche", "gypsy jazz", "jazzig"),
    "blues": ("bluesy", "bluesier", "delta blues", "12 bar blues", "twelve bar blues", "chicago blues", "blues rock"),
    "funk": ("funky", "funkier", "afrobeat", "afro funk", "p funk", "funkig"),
    "soul": ("r&b", "rnb", "r and b", "rhythm and blues", "neo soul", "motown", "soulful", "doo wop"),
    "hip hop": ("hiphop", "rap", "rap beat", "old school hip hop", "hip hop beat", "rap music"),
    "trap": ("trap beat", "trap music", "phonk"),
    "lofi": ("lo fi", "lofi hip hop", "lo fi hip hop", "chillhop", "chill hop", "study beats",
             "lofi beat", "lofi beats", "lo fi beat", "study", "studying", "study music", "focus music",
             "para estudiar", "pour etudier", "zum lernen", "para estudar", "concentration", "homework"),
    "edm": ("electronic dance", "electronic dance music", "dance music", "big room",
            "electro", "festival", "rave", "electronic", "electronica", "eurodance",
            "psytrance", "future bass", "dance track", "club music", "musica electronica",
            "musique electronique", "elektronisch", "elektro", "musica eletronica", "eletronica"),
    "house": ("deep house", "tech house", "progressive house", "uk garage", "garage", "disco house",
              "tropical house", "house music", "acid house", "chicago house"),
    "techno": ("minimal techno", "acid techno", "detroit techno", "industrial", "hard techno",
               "tekno", "berlin techno"),
    "drum and bass": ("drum n bass", "drum & bass", "drum'n'bass", "drumnbass", "dnb", "d&b", "jungle",
                      "liquid dnb", "liquid drum and bass", "breakbeat", "neurofunk"),
    "synthwave": ("retrowave", "outrun", "synth pop", "synthpop", "darksynth", "new wave", "80s synth",
                  "retro synth", "cyberpunk", "dreamwave"),
    "vaporwave": ("chillwave", "mallsoft", "future funk", "vapor wave"),
    "ambient": ("drone", "new age", "meditation music", "atmospheric", "soundscape", "space music",
                "ambient music", "meditation", "yoga music", "spa music", "ambiente", "ambiant",
                "sleep music", "sound bath"),
    "cinematic": ("orchestral", "orchestra", "film score", "movie score", "soundtrack", "score", "film music",
                  "movie music", "movie soundtrack", "filmic",
                  "musica de cine", "musica de pelicula", "banda sonora", "bso", "musique de film",
                  "bande originale", "filmmusik", "soundtrack", "trilha sonora", "orquestal",
                  "orquesta", "orchestrale", "orchester", "orquestra", "sinfonico", "symphonic",
                  "orchestrales", "game soundtrack", "hans zimmer", "john williams", "zimmer"),
    "classical": ("classical music", "sonata", "symphony", "concerto", "etude",
                  "chamber music", "opera", "aria", "prelude", "romantic era", "clasica", "clasico",
                  "musica clasica", "classique", "musique classique", "klassisch", "klassik",
                  "klassische musik", "classica", "classico", "musica classica", "sinfonia",
                  "symphonie", "requiem", "mozart", "beethoven", "chopin", "debussy", "satie",
                  "schubert", "tchaikovsky", "brahms", "liszt"),
    "baroque": ("baroque music", "fugue", "bach", "vivaldi", "barroco", "barock", "barocco", "fuga",
                "toccata", "handel", "baroque style"),
    "folk": ("folk song", "folkier", "americana", "acoustic folk", "singer songwriter", "campfire", "folclore",
             "folklore", "volksmusik", "volkslied", "musique folk", "folk music", "folky", "folk rock"),
    "celtic": ("irish", "scottish", "celta", "celtique", "keltisch", "celtica", "gaelic", "irlandes",
               "irlandais", "irisch", "escoces", "ecossais", "schottisch", "irish folk", "highland"),
    "country": ("country western", "cowboy", "country music", "country song", "nashville",
                "western", "ranchera", "sertanejo", "countrymusik"),
    "reggae": ("dub", "dancehall", "rocksteady", "roots reggae", "jamaican", "caribbean",
               "reggae beat"),
    "latin": ("salsa", "mambo", "merengue", "cha cha",
              "cha cha cha", "rumba", "latina", "latino", "latine", "latin jazz", "bachata",
              "musica latina", "musique latine", "lateinamerikanisch", "afro cuban", "son cubano"),
    "bossa nova": ("bossa", "brazilian jazz", "mpb", "cocktail music", "brazilian", "brasileiro", "brasileira",
                   "bossanova"),
    "tango": ("milonga", "tango argentino", "argentine tango", "nuevo tango", "tangos"),
    "disco": ("nu disco", "discoteca", "discotheque", "disco music", "70s disco", "studio 54"),
    "chiptune": ("8 bit", "8bit", "16 bit", "16bit", "chip music", "video game", "videogame",
                 "video game music", "retro game", "arcade", "nes", "gameboy", "game boy", "pixel",
                 "chiptunes", "retro gaming", "8 bits", "videojuego", "videojuegos", "jeu video",
                 "videospiel", "videogame music", "jogo", "videogames", "chip tune", "bit music"),
    "gospel": ("spiritual", "church music", "worship", "praise", "kirchenlied",
               "gospel choir", "church", "iglesia", "eglise", "kirche", "igreja"),
    "march": ("marching band", "military march", "marcha", "marche", "marsch", "parade",
              "military", "marching", "militar", "militaire"),
    "waltz": ("vals", "valse", "walzer", "valsa", "viennese waltz", "waltzes"),
    "lullaby": ("cradle song", "bedtime", "bedtime song", "nursery rhyme", "cancion de cuna", "nana",
                "berceuse", "wiegenlied", "schlaflied", "cancao de ninar", "ninar", "lullabies",
                "lullaby song", "canción infantil", "kinderlied", "comptine", "sleep song", "for kids",
                "kids song", "cantiga de ninar", "to sleep", "for sleeping", "para dormir", "pour dormir",
                "zum schlafen", "zum einschlafen", "fall asleep", "falling asleep"),
}

STYLES: dict[str, Style] = {
    style.name: style
    for style in (
        Style("ballad", "pop", (60, 72, 84), parts="piano:melody, strings:pad", drums=False, energy=0.3),
        Style("power ballad", "rock", (60, 74, 90), energy=0.6),
        Style("love song", "pop", (64, 76, 90), parts="piano:melody, strings:pad, acoustic bass:bass",
              drums=False, energy=0.35, mood="romantic"),
        Style("jingle", "pop", (110, 120, 132), energy=0.7, duration_s=15.0),
        Style("intro", None, duration_s=20.0),
        Style("loop", None, duration_s=30.0),
        Style("jig", "celtic", (100, 116, 130), meter="6/8"),
        Style("reel", "celtic", (100, 112, 125), meter="4/4"),
        Style("polka", "folk", (110, 122, 135), meter="2/4",
              parts="accordion:melody, acoustic guitar:chords, tuba:bass", drums=True, energy=0.7),
        Style("sea shanty", "folk", (88, 100, 112), parts=(
            "accordion:melody, fiddle:counter, acoustic guitar:chords, acoustic bass:bass")),
        Style("minuet", "baroque", (96, 108, 120), meter="3/4"),
        Style("nocturne", "classical", (52, 64, 76), parts="piano:melody", drums=False, energy=0.25),
        Style("boom bap", "hip hop", (86, 92, 98), kit="standard"),
        Style("dubstep", "edm", (138, 140, 142)),
        Style("trance", "edm", (130, 138, 142), parts="supersaw:melody, polysynth:chords, synth bass:bass"),
        Style("bebop", "jazz", (170, 200, 240), parts="alto sax:melody, piano:chords, acoustic bass:bass"),
        Style("swing", "jazz", (130, 150, 180),
              parts="trumpet:melody, brass section:chords, acoustic bass:bass, piano:counter"),
        Style("big band", "jazz", (120, 144, 180),
              parts="trumpet:melody, brass section:chords, acoustic bass:bass, tenor sax:counter"),
        Style("smooth jazz", "jazz", (80, 92, 104),
              parts="soprano sax:melody, electric piano:chords, fretless bass:bass"),
        Style("ragtime", "jazz", (90, 100, 112), meter="2/4", parts="honky-tonk piano:melody",
              drums=False),
        Style("bluegrass", "country", (110, 132, 160),
              parts="banjo:melody, fiddle:counter, acoustic guitar:chords, acoustic bass:bass"),
        Style("ska", "reggae", (140, 152, 168),
              parts="trumpet:melody, electric guitar:chords, electric bass:bass", energy=0.75),
        Style("samba", "latin", (90, 100, 110), meter="2/4"),
        Style("reggaeton", "latin", (88, 94, 100),
              parts="synth lead:melody, polysynth:chords, 808 bass:bass", kit="808"),
        Style("flamenco", "latin", (100, 120, 140), mode="phrygian",
              parts="nylon guitar:melody, acoustic guitar:chords, acoustic bass:bass"),
        Style("mariachi", "latin", (100, 120, 140),
              parts="trumpet:melody, violin:counter, acoustic guitar:chords, acoustic bass:bass"),
        Style("cumbia", "latin", (85, 95, 105),
              parts="accordion:melody, acoustic guitar:chords, electric bass:bass"),
        Style("hymn", "gospel", (60, 72, 84), parts="choir:melody, church organ:chords", drums=False),
        Style("trailer", "cinematic", (80, 100, 140), energy=0.9, mood="epic"),
        Style("trip hop", "hip hop", (70, 80, 90), mood="dark"),
        Style("drill", "trap", (138, 142, 146)),
        Style("hardstyle", "edm", (145, 150, 160), energy=0.95),
        Style("lounge", "bossa nova", (90, 105, 120), energy=0.35),
        Style("fanfare", "march", (100, 112, 124), duration_s=15.0, mood="triumphant"),
        Style("anthem", "cinematic", (70, 84, 100), mood="triumphant"),
        Style("elevator music", "bossa nova", (100, 110, 120), energy=0.3, mood="calm"),
        Style("string quartet", "classical", (70, 92, 120), parts="violin:melody, viola:chords, cello:bass",
              drums=False),
    )
}

# Words for each style, beyond its own name.
STYLE_WORDS: dict[str, tuple[str, ...]] = {
    "ballad": ("balada", "ballade", "ballata", "ballads"),
    "power ballad": ("rock ballad", "power ballads"),
    "love song": ("cancion de amor", "chanson d amour", "liebeslied", "cancao de amor", "love songs"),
    "jingle": ("ident", "stinger", "sting", "jingles", "advert", "commercial", "ad music", "radio ident",
               "podcast intro", "cuna publicitaria", "werbemusik", "vinheta"),
    "intro": ("outro", "intro music", "introduccion", "introducao"),
    "loop": ("loops", "seamless loop", "bucle"),
    "jig": ("jigs", "irish jig", "giga", "gigue"),
    "reel": ("reels", "irish reel", "scottish reel"),
    "polka": ("polca", "polkas"),
    "sea shanty": ("shanty", "shanties", "sea shanties", "pirate song", "pirate", "pirates", "pirata",
                   "piratas", "pirate music"),
    "minuet": ("menuet", "menuett", "minueto"),
    "boom bap": ("boombap", "boom bap beat", "90s hip hop"),
    "swing": ("swing jazz", "swing music", "jump blues"),
    "big band": ("bigband",),
    "smooth jazz": ("lounge jazz", "jazz suave"),
    "bluegrass": ("blue grass",),
    "hymn": ("hymns", "chorale", "choral hymn", "himno", "hymne", "hino"),
    "trailer": ("movie trailer", "trailer music", "epic trailer"),
    "lounge": ("lounge music",),
    "flamenco": ("flamenca", "flamenco guitar music"),
    "reggaeton": ("regueton", "reggaetón", "perreo"),
    "trance": ("trance music",),
    "string quartet": ("quatuor a cordes", "streichquartett", "cuarteto de cuerdas", "quarteto de cordas"),
    "anthem": ("national anthem", "hino nacional", "himno nacional", "hymne national", "nationalhymne"),
}


def genre_phrases() -> dict[str, str]:
    """Every genre phrase (unfolded) → genre name."""
    phrases = {name: name for name in GENRES}
    for name, words in GENRE_WORDS.items():
        phrases.update(dict.fromkeys(words, name))
    return phrases


def style_phrases() -> dict[str, str]:
    """Every style phrase (unfolded) → style name."""
    phrases = {name: name for name in STYLES}
    for name, words in STYLE_WORDS.items():
        phrases.update(dict.fromkeys(words, name))
    return phrases


# Genre words that colour rather than name the style ("a jazzy lofi beat" is lofi).
GENRE_ADJECTIVES = frozenset({
    "jazzy", "jazzier", "jazzig", "bluesy", "bluesier", "funky", "funkier", "funkig", "folky", "folkier",
    "soulful", "rockig", "rockier", "filmic", "latina", "latino", "latine",
})

# The style a mood suggests when nothing else in the request names or implies one.
MOOD_STYLES: dict[str, str] = {"sad": "ballad", "romantic": "love song"}
# The genre a mood suggests when nothing else in the request names or implies one.
MOOD_GENRES: dict[str, str] = {
    "sad": "pop", "melancholic": "classical", "happy": "pop", "calm": "ambient", "dreamy": "ambient",
    "tense": "cinematic", "dark": "cinematic", "spooky": "cinematic", "mysterious": "cinematic",
    "epic": "cinematic", "triumphant": "cinematic", "romantic": "pop", "angry": "metal",
    "energetic": "edm", "nostalgic": "synthwave", "playful": "pop", "hopeful": "pop",
}
