/**
 * Passwords people pick first, lower case, written by hand from the patterns that top every breach analysis (words
 * like "password" and "dragon", names, sports, keyboard and number runs, "iloveyou"-style phrases). It is not a copy
 * of any published list: it only needs to catch the guesses an online attacker tries first, which the rules in
 * password-policy.ts extend (case, digits and symbols around a word, leetspeak, spaces).
 * Entries shorter than 8 characters still matter: "dragon" refuses "Dragon2024!" once the digits are stripped.
 */
const WORDS = `
password passw0rd p4ssword pa55word passwort motdepasse contrasena senha parola salasana wachtwoord
password1 password12 password123 password1234 mypassword newpassword oldpassword secretpassword
letmein letmein1 welcome welcome1 welcome123 hello hello123 helloworld hellothere goodbye
admin admin123 administrator root toor superuser sysadmin webmaster guest guest123 test test123 testing
tester testtest default changeme changeit temp temppass temp1234 secret secret123 private public access
login logmein master master123 masterkey mastercard visa passport trustno1 whatever nothing anything
something somebody nobody everyone unknown opensesame abracadabra letmeinnow
iloveyou iloveyou1 iloveu loveyou loveme lovely lover loving love123 mylove ilovegod ilovemom ilovemyself
iloveyou2 iloveyou123 imissyou kissme hugme sweetheart sweetie sweetpea honey honeybee sugar cutie
princess prince princesa queen king kingdom royal angel angels angel1 heaven heavenly blessed blessing
jesus jesus1 jesuschrist christ god godisgood faith trinity hallelujah amen church bible
dragon dragons dragonfly phoenix unicorn wizard merlin magic magician warrior ninja samurai viking
shadow shadows darkness darkside lucifer demon devil monster zombie vampire ghost killer assassin
monkey monkey1 donkey turtle tiger tigers lion lions eagle eagles falcon hawk panther jaguar leopard
cheetah wolf wolves bear bears fox puppy kitten kitty cat cats dog dogs doggie pussycat bunny rabbit
dolphin dolphins shark sharks whale butterfly ladybug spider scorpion snake cobra python horse pony
football soccer baseball basketball hockey tennis golf golfer cricket rugby volleyball boxing
chelsea arsenal liverpool manchester barcelona realmadrid juventus yankees cowboys steelers lakers
packers raiders redsox patriots broncos bulls celtics dodgers giants rangers ranger
superman batman spiderman ironman hulk captain starwars startrek pokemon pikachu mario zelda minecraft
fortnite roblox naruto goku matrix neo hunter hunter2 sniper gamer gaming player player1 xbox playstation
nintendo computer laptop internet google yahoo hotmail gmail facebook twitter youtube instagram
microsoft windows apple iphone samsung android linux ubuntu mozilla firefox chrome
summer winter spring autumn sunshine sunny sunset sunrise rainbow moonlight starlight stars galaxy
ocean beach island paradise flower flowers rose roses daisy lily orchid tulip garden forest mountain
river freedom liberty peace happy happiness smile smiley funny crazy cool awesome amazing perfect
beautiful pretty gorgeous sexy hottie hotstuff baby babygirl babyboy babydoll mommy daddy mother father
family friend friends friendship bestfriend buddy pal brother sister cousin
michael jennifer jessica ashley amanda michelle nicole daniel david james john robert william richard
thomas charles joseph christopher matthew anthony andrew joshua justin jordan taylor morgan alexander
alexandra elizabeth victoria natalie samantha stephanie melissa sarah hannah emily olivia sophia
charlie charlotte maggie buster buddy1 bailey max molly lucky lucky7 pepper ginger cookie muffin
chocolate vanilla caramel cupcake cheese pizza banana orange apple123 cherry strawberry blueberry
coffee whiskey vodka tequila beer
money money1 cash rich richard1 million billion dollar bitcoin crypto bank banking gold silver diamond
diamonds platinum ferrari porsche mustang corvette camaro mercedes bmw audi harley yamaha honda toyota
music guitar piano drummer rockstar rocknroll metallica nirvana beatles eminem
america usa canada london paris berlin tokyo newyork california texas florida
qwerty qwerty1 qwerty12 qwerty123 qwertyuiop qwertyui qwertz azerty asdfgh asdfghjkl zxcvbn zxcvbnm
qazwsx qazwsxedc 1qaz2wsx 1q2w3e4r 1q2w3e4r5t zaq12wsx zaq1zaq1 1qazxsw2 asdf1234 qwer1234 abcd1234
abc123 abc12345 abcdef abcdefg abcdefgh abcd123 a1b2c3 a1b2c3d4 aa123456 aaaaaa
123456 1234567 12345678 123456789 1234567890 0123456789 987654321 87654321 9876543210 123123 123123123
111111 11111111 000000 00000000 121212 12121212 123321 654321 666666 696969 777777 7777777 888888
112233 11223344 159753 147258369 741852963 159357 789456 789456123 456789 1234qwer 123qwe 123qweasd
computer1 trustme believe imagine dreamer dreams destiny forever always eternity infinity
`;

const PHRASES = [
  "correcthorsebatterystaple",
  "thequickbrownfox",
  "letmeinplease",
  "passwordpassword",
  "iloveyoutoo",
  "youwillneverguess",
  "idontknow",
  "nopassword",
  "mypassword1",
  "whatsup",
  "blink182",
  "michael1",
  "jordan23",
  "football1",
  "baseball1",
  "superman1",
  "princess1",
  "sunshine1",
  "charlie1",
  "shadow1",
  "master1",
  "killer1",
  "hunter1",
  "ranger1",
  "tigger",
  "pooh",
  "winnie",
  "snoopy",
  "garfield",
  "scooby",
  "doraemon",
  "hellokitty",
];

/** The set the policy looks passwords up in. */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([...WORDS.split(/\s+/).filter(Boolean), ...PHRASES]);
