"""Words that steer rather than describe: add/remove/swap, faster/slower, longer, drums, undo, …

Each table maps a meaning to its phrases in English, Spanish, French, German and Portuguese
(written with accents; the lexicon folds them).
"""

from __future__ import annotations

# Operators acting on the instrument (or drums) named next.
OPERATOR_WORDS: dict[str, tuple[str, ...]] = {
    "add": ("add", "adding", "with", "plus", "include", "put", "put in", "bring in", "throw in",
            "feature", "featuring", "use", "using", "layer", "add in", "add some", "introduce",
            "con", "añade", "añadir", "agrega", "agregar", "pon", "poner", "incluye", "mete", "usa",
            "avec", "ajoute", "ajouter", "mets", "mettre", "rajoute", "utilise",
            "mit", "füge", "hinzu", "dazu", "nimm", "verwende",
            "com", "adiciona", "adicione", "adicionar", "coloca", "coloque", "põe", "inclui", "usar"),
    "remove": ("no", "without", "minus", "remove", "drop", "lose", "cut", "mute", "kill", "get rid of",
               "take out", "take away", "delete", "no more", "not", "don't want", "dont want",
               "turn off", "stop", "ditch", "skip", "exclude", "without any",
               "sin", "quita", "quitar", "saca", "sacar", "elimina", "eliminar", "nada de",
               "sans", "enlève", "enlever", "retire", "retirer", "supprime", "pas de", "pas",
               "ohne", "entferne", "entfernen", "weg", "kein", "keine", "keinen", "nicht",
               "sem", "tira", "tirar", "remova", "retira", "não", "nenhum", "nenhuma"),
    "swap": ("swap", "replace", "change", "switch", "exchange", "trade", "substitute", "turn",
             "cambia", "cambiar", "reemplaza", "reemplazar", "sustituye", "sustituir",
             "remplace", "remplacer", "change", "échange", "échanger",
             "ersetze", "ersetzen", "tausche", "tauschen", "wechsle",
             "troca", "trocar", "substitui", "substituir", "muda", "mude"),
    "to": ("→", "for", "by", "to", "into", "from", "por", "par", "en", "durch", "gegen", "zu", "pelo", "pela"),
    "instead": ("instead of", "rather than", "in place of", "instead", "en lugar de", "en vez de",
                "au lieu de", "à la place de", "statt", "anstatt", "anstelle von", "em vez de",
                "no lugar de", "ao invés de", "em lugar de"),
    "only": ("only", "just", "solo", "alone", "nothing but", "unaccompanied", "by itself", "on its own",
             "solamente", "sólo", "únicamente", "seulement", "uniquement", "nur", "allein",
             "apenas", "somente", "só", "unicamente"),
    "more": ("more", "even more", "más", "mas", "plus de", "mehr", "mais"),
    "less": ("less", "fewer", "not so", "not as", "menos", "moins", "moins de", "weniger"),
}

SIZE_WORDS: dict[str, tuple[str, ...]] = {
    "small": ("a bit", "a little", "a little bit", "a tad", "a touch", "slightly", "somewhat", "bit",
              "little", "a smidge", "marginally", "a hair", "un poco", "un poquito", "ligeramente",
              "un peu", "un petit peu", "légèrement", "etwas", "ein bisschen", "ein wenig",
              "bisschen", "um pouco", "um pouquinho", "ligeiramente", "levemente"),
    "large": ("much", "a lot", "lots", "way", "far", "a great deal", "very much", "really",
              "significantly", "considerably", "a lot more", "way more", "much more", "mucho", "muy",
              "bastante", "beaucoup", "bien", "très", "viel", "deutlich", "sehr", "muito", "bem",
              "super", "very", "so much", "tons"),
}

TEMPO_WORDS: dict[str, tuple[str, ...]] = {
    "fast": ("fast", "quick", "rapid", "uptempo", "up tempo", "speedy", "high tempo", "brisk", "swift",
             "rápido", "rápida", "veloz", "rapide", "vite", "schnell", "schnelle", "schnelles",
             "flott", "allegro", "presto", "vivace"),
    "slow": ("slow", "slowly", "downtempo", "down tempo", "low tempo", "leisurely", "unhurried",
             "lento", "lenta", "despacio", "lent", "lente", "langsam", "langsame", "langsames",
             "adagio", "andante", "lentamente"),
}
TEMPO_COMPARATIVES: dict[str, tuple[str, ...]] = {
    "faster": ("faster", "quicker", "speed up", "speed it up", "pick up the pace", "pick it up",
               "more tempo", "hurry", "higher tempo", "more speed", "up the tempo", "tempo up",
               "más rápido", "más rápida", "acelera", "acelerar", "plus rapide", "plus vite",
               "accélère", "accélérer", "schneller", "beschleunigen", "mais rápido", "mais rápida",
               "mais depressa"),
    "slower": ("slower", "slow down", "slow it down", "lower tempo", "less speed", "tempo down",
               "down the tempo", "take it down", "bring the tempo down", "more slowly", "chiller tempo",
               "más lento", "más lenta", "más despacio", "ralentiza", "ralentizar", "plus lent",
               "plus lente", "ralentis", "ralentir", "langsamer", "mais lento", "mais lenta",
               "desacelera"),
    "double": ("twice as fast", "double time", "double speed", "double the tempo", "double tempo",
               "doble de rápido", "deux fois plus vite", "doppelt so schnell", "duas vezes mais rápido"),
    "half": ("half time", "half speed", "half the tempo", "half tempo", "half as fast",
             "mitad de velocidad", "moitié moins vite", "halb so schnell", "metade da velocidade"),
}

LENGTH_WORDS: dict[str, tuple[str, ...]] = {
    "short": ("short", "brief", "tiny", "shortish", "corto", "corta", "breve", "court", "courte",
              "kurz", "kurze", "kurzes", "curto", "curta", "mini"),
    "very short": ("very short", "super short", "really short", "muy corto", "très court", "sehr kurz",
                   "muito curto", "few seconds", "a few seconds", "unos segundos", "quelques secondes",
                   "ein paar sekunden", "alguns segundos"),
    "long": ("long", "lengthy", "extended", "full length", "full song", "largo", "larga", "longue",
             "lang", "lange", "langes", "longo", "longa", "full track", "couple of minutes",
             "a couple of minutes", "few minutes", "a few minutes"),
    "very long": ("very long", "super long", "really long", "muy largo", "très long", "sehr lang",
                  "muito longo"),
}
LENGTH_COMPARATIVES: dict[str, tuple[str, ...]] = {
    "longer": ("longer", "extend", "extend it", "lengthen", "more length", "make it last",
               "más largo", "más larga", "alarga", "plus long", "plus longue", "rallonge", "länger",
               "verlängern", "verlängere", "mais longo", "mais longa", "alonga"),
    "shorter": ("shorter", "shorten", "trim", "trim it", "cut it down", "less long", "more concise",
                "más corto", "más corta", "acorta", "plus court", "plus courte", "raccourcis",
                "raccourcir", "kürzer", "kürzen", "mais curto", "mais curta", "encurta"),
    "double": ("twice as long", "double the length", "double length", "doble de largo",
               "deux fois plus long", "doppelt so lang", "duas vezes mais longo"),
    "half": ("half as long", "half the length", "half length", "la mitad de largo", "moitié moins long",
             "halb so lang", "metade do tamanho"),
}

ENERGY_WORDS: dict[str, tuple[str, ...]] = {
    "up": ("intense", "heavy", "hard", "hard hitting", "loud", "punchy", "massive", "huge", "bombastic",
           "big", "intenso", "intensa", "fuerte", "potente", "intense", "puissant", "fort", "intensiv",
           "heftig", "laut", "kraftvoll", "pesado", "pesada", "forte", "pesante"),
    "down": ("light", "subtle", "minimal", "minimalist", "delicate", "understated", "sparse", "simple",
             "ligero", "ligera", "sutil", "delicado", "delicada", "léger", "légère", "subtil",
             "délicat", "leicht", "dezent", "zart", "leve"),
}
ENERGY_COMPARATIVES: dict[str, tuple[str, ...]] = {
    "up": ("more intense", "louder", "heavier", "harder", "bigger", "stronger", "more energy",
           "more power", "more powerful", "pump it up", "turn it up", "crank it up", "more intensity",
           "más intenso", "más fuerte", "plus intense", "plus fort", "intensiver", "lauter", "härter",
           "kräftiger", "mais intenso", "mais forte", "mais pesado"),
    "down": ("softer", "quieter", "gentler", "lighter", "more subtle", "more delicate", "less intense",
             "tone it down", "calm it down", "less energy", "turn it down", "more minimal", "simpler",
             "más suave", "más ligero", "plus léger", "plus subtil", "sanfter", "leiser", "leichter",
             "mais suave", "mais leve"),
}

DRUM_WORDS = ("drums", "drum", "percussion", "beat", "beats", "drum kit", "drumkit", "drum set",
              "drumset", "groove", "rhythm section", "drumbeat", "drum beat", "drum machine",
              "batería", "percusión", "ritmo", "batterie", "percussions", "percussion",
              "schlagzeug", "trommeln", "perkussion", "schlagzeug", "bateria", "percussão", "drums track")
DRUMLESS_WORDS = ("drumless", "beatless", "no percussion", "a cappella", "acapella", "unplugged",
                  "sin percusión", "sans percussions", "ohne schlagzeug", "sem bateria")
DENSITY_WORDS: dict[str, tuple[str, ...]] = {
    "busy": ("busy drums", "busy beat", "busy", "complex drums", "driving drums", "lots of drums",
             "heavy drums", "big drums", "pounding drums", "busier drums", "busier", "more fills",
             "double kick", "blast beats"),
    "sparse": ("sparse drums", "light drums", "soft drums", "minimal drums", "simple drums",
               "sparse beat", "light beat", "sparser drums", "sparser", "lighter drums",
               "softer drums", "simpler drums", "gentle drums", "subtle drums", "fewer fills"),
}
KIT_WORDS: dict[str, tuple[str, ...]] = {
    "brush": ("brushes", "brush", "brush kit", "brushed drums", "escobillas", "balais", "besen",
              "vassourinhas"),
    "808": ("808", "808s", "808 drums", "808 kit", "808 beat", "tr808", "trap drums"),
    "electronic": ("electronic drums", "drum machine", "electronic kit", "electronic beat",
                   "synth drums", "batería electrónica", "boîte à rythmes", "elektronisches schlagzeug"),
    "jazz": ("jazz drums", "jazz kit"),
    "power": ("rock drums", "power drums", "power kit", "rock kit", "metal drums"),
    "room": ("room drums", "room kit", "live drums", "acoustic drums"),
    "orchestra": ("orchestral percussion", "orchestral drums", "orchestra drums", "concert percussion"),
    "standard": ("standard drums", "standard kit", "normal drums", "regular drums"),
}

MODE_WORDS: dict[str, tuple[str, ...]] = {
    "major": ("major", "major key", "in major", "mayor", "tonalidad mayor", "majeur", "dur", "maior",
              "modo mayor", "mode majeur", "in dur", "tom maior"),
    "minor": ("minor", "minor key", "in minor", "menor", "tonalidad menor", "mineur", "moll", "in moll",
              "modo menor", "mode mineur", "tom menor"),
    "dorian": ("dorian", "dorian mode", "dórico", "dorien", "dorisch"),
    "phrygian": ("phrygian", "phrygian mode", "frigio", "phrygien", "phrygisch", "frígio"),
    "lydian": ("lydian", "lydian mode", "lidio", "lydien", "lydisch", "lídio"),
    "mixolydian": ("mixolydian", "mixolydian mode", "mixolidio", "mixolydien", "mixolydisch"),
    "locrian": ("locrian", "locrian mode", "locrio", "locrien", "lokrisch"),
}

METER_WORDS: dict[str, tuple[str, ...]] = {
    "3/4": ("waltz time", "three four", "three four time", "triple meter", "triple time", "in three",
            "compas de vals", "ternaire", "dreiertakt", "3 4 time", "three quarter time"),
    "6/8": ("six eight", "six eight time", "compound time", "jig time", "compound meter", "6 8 time"),
    "4/4": ("four four", "common time", "straight time", "four on the floor", "four four time",
            "4 4 time", "vierertakt"),
    "2/4": ("two four", "cut time", "march time", "two four time", "zweiertakt"),
    "12/8": ("shuffle", "twelve eight", "shuffle feel", "shuffle rhythm", "12 8 time"),
    "7/8": ("seven eight", "odd meter", "odd time", "odd time signature", "7 8 time"),
    "5/4": ("five four", "5 4 time", "take five time"),
    "9/8": ("nine eight", "slip jig", "9 8 time"),
}

ACTION_WORDS: dict[str, tuple[str, ...]] = {
    "undo": ("undo", "go back", "revert", "previous version", "the previous one", "back to the previous",
             "undo that", "undo it", "take that back", "revert that", "last version", "the one before",
             "deshacer", "deshaz", "volver atrás", "vuelve atrás", "versión anterior", "annuler",
             "annule", "revenir en arrière", "version précédente", "rückgängig", "zurück",
             "vorherige version", "desfazer", "desfaz", "voltar", "volta", "versão anterior"),
    "variation": ("another version", "another one", "another take", "new version", "variation",
                  "different version", "try again", "again", "reroll", "re roll", "regenerate",
                  "one more", "different melody", "new melody", "another melody", "same but different",
                  "alternate version", "alternative version", "new take", "different take", "redo",
                  "otra versión", "otra", "otra vez", "de nuevo", "variación", "una variación",
                  "une autre version", "autre version", "encore une fois", "variante", "nouvelle version",
                  "eine andere version", "andere version", "noch eine", "nochmal", "noch mal",
                  "neue version", "outra versão", "outra", "de novo", "variação", "nova versão"),
}

# Words that carry no meaning of their own in a request: skipped when looking for unknown words and
# allowed between an operator and its instrument ("remove the piano", "add some strings").
FILLER_WORDS = frozenset("""
a an the some any of and or nor & it its it's is be make me us my our your his her their this that
these those please pls plz can could would you i we want need like love something thing kind sort
type style vibe vibes vibey feel feeling feels sound sounding sounds song songs music track tracks tune
tunes piece pieces melody composition compose write create generate play give gimme produce let lets
do for to in on at by from with about into as so very really just bit little one ones time times
version take mood tone also too then but yet still now here there what which who how kinda sorta
maybe perhaps thanks thank ok okay hey hi hello yo bot bandmate pretty quite rather little instrumental
theme level scene vibe background bg
el la los las un una unos unas de del y o ni que con para por mi me mis tu su sus es una algo cancion
musica tema pieza quiero haz hazme hace crea escribe toca dame un poco muy favor porfa
le les des du et ou à au aux pour ma mon mes ton ta son sa une chanson morceau musique fais moi
je veux crée écris joue donne stp svp
der die das den dem des ein eine einen einem einer und oder zu für mit mein meine ich will möchte
mach mir bitte lied musik stück spiel gib schreib erstelle
o os as um uma uns umas e ou do da dos das no na nos nas em para pelo pela meu minha eu quero faz
faça me dá musica canção cria escreve toca
""".split())

# What people say to a piece rather than about it ("lol", "nice", "awesome"): a reply made only of these
# (and fillers) names no change, so it makes no new version and is not sent to the text encoder.
CHATTER_WORDS = frozenset("""
lol lool lmao lmfao rofl haha hahaha hahahaha hehe hihi jaja jajaja kkk kkkk xd omg wow woah whoa nice
cool great awesome amazing perfect beautiful gorgeous lovely brilliant excellent wonderful fantastic
incredible sick dope fire lit banger bangs slaps goated good best fine yay yes yeah yep yup nah nope
thx ty tysm cheers sweet neat hmm hm huh oh ah ooh aww wtf damn dang noice nicee gg
bueno buena genial guay gracias vale bom boa legal obrigado obrigada merci top gut danke toll
""".split())
